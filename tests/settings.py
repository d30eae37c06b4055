"""Settings for the test suite: the development profile of `gigmarket.settings`.

DEBUG is off unless switched on (and the production profile refuses development keys),
so the suite switches it on here, as `make run` does for the demo. Tests of the
production profile start `manage.py` in a subprocess with their own variables
(tests/core/test_settings.py, test_security_headers.py, tests/ops/).
"""

import os

os.environ["DEBUG"] = "1"

from gigmarket.settings import *  # noqa: E402, F403
