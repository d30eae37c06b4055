"""gunicorn's logger with 身份证号 and mobiles masked in the access and error logs.

Selected in ops/gunicorn.conf.py (`logger_class`). The access line holds the request
line and the Referer, so a query string with personal data (a bookmarked search, a
hand-typed URL) would otherwise be written to journald in full.
"""

from gunicorn.glogging import Logger

from gigmarket.core.logging import MaskPersonalDataFilter

MASK = MaskPersonalDataFilter()


class MaskedLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        # One filter instance: a reload calls setup again and addFilter skips a duplicate.
        self.access_log.addFilter(MASK)
        self.error_log.addFilter(MASK)
