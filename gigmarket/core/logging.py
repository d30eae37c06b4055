"""Keep personal data out of operational logs."""

import logging
import re

# 18-character resident ID numbers and mainland mobile numbers.
ID_NUMBER = re.compile(r"(?<![0-9])([1-9][0-9]{5})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9])")
# Also with a +86 / 86 prefix and with spaces or dashes between the groups.
# In access-log lines a space in a query string is written "+" or "%20".
_SEP = r"(?:[- +]|%20)?"
MOBILE = re.compile(rf"(?<![0-9])((?:(?:\+|%2B)?86{_SEP})?1[3-9][0-9]){_SEP}[0-9]{{4}}{_SEP}([0-9]{{4}})(?![0-9])")


def mask_text(text):
    text = ID_NUMBER.sub(lambda m: m.group(1)[:4] + "*" * 10 + m.group(2), text)
    return MOBILE.sub(lambda m: m.group(1) + "****" + m.group(2), text)


class MaskPersonalDataFilter(logging.Filter):
    """Rewrite a record's message with personal data masked (on a handler, or on a logger
    such as gunicorn's access log)."""

    def filter(self, record):
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg = masked
            record.args = ()
        return True
