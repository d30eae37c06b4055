"""A bad SMS setting stops start-up with the reason (as every other setting does)."""

import pytest

from tests.core.test_settings import start_portal


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({"SMS_BACKEND": "twilio"}, "SMS_BACKEND must be one of console, aliyun, tencent"),
        ({"SMS_BACKEND": "aliyun"}, "SMS_BACKEND=aliyun needs SMS_ALIYUN_ACCESS_KEY_ID"),
        ({"SMS_BACKEND": "tencent", "SMS_TENCENT_SECRET_ID": "x"}, "SMS_BACKEND=tencent needs"),
        ({"SMS_TEMPLATE_CODES": "code=SMS_1"}, "SMS_TEMPLATE_CODES takes comma-separated key:provider_code"),
        ({"SMS_SIGNATURE": "【贵州零工市场】"}, "SMS_SIGNATURE must be the bare signature"),
        ({"SMS_QUIET_END": "25"}, "SMS_QUIET_START and SMS_QUIET_END are hours 0-23"),
    ],
    ids=["unknown backend", "aliyun without keys", "tencent without keys", "codes format", "signature", "hour"],
)
def test_a_bad_sms_setting_stops_start_up(env, reason):
    code, _, err = start_portal(DEBUG="1", **env)
    assert code != 0
    assert reason in err


def test_a_provider_with_its_keys_starts():
    code, _, err = start_portal(
        DEBUG="1",
        SMS_BACKEND="tencent",
        SMS_TENCENT_SECRET_ID="AKIDx",
        SMS_TENCENT_SECRET_KEY="k",
        SMS_TENCENT_APP_ID="1400000000",
        SMS_TEMPLATE_CODES="code:2100000, match_confirmed:2100001",
    )
    assert code == 0, err
