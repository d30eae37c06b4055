import pytest


@pytest.fixture(autouse=True)
def _sms_log(settings, tmp_path):
    """The console backend writes to a file of the test's own."""
    settings.SMS_LOG_FILE = str(tmp_path / "sms.log")
    settings.SMS_BACKEND = "console"
    return settings.SMS_LOG_FILE


@pytest.fixture
def sms_log(_sms_log):
    def read():
        try:
            with open(_sms_log, encoding="utf-8") as fh:
                return fh.read()
        except FileNotFoundError:
            return ""

    return read
