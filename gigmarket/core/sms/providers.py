"""The two providers county offices use, through their official SDKs.

- Alibaba Cloud 短信服务 (dysmsapi 2017-05-25): `alibabacloud_dysmsapi20170525`, SendSms with
  the template's named parameters as JSON (`${code}` in the registered text).
- Tencent Cloud 短信 (sms 2021-01-11): `tencentcloud-sdk-python-sms`, SendSms with the
  parameters in the template's order (`{1}`, `{2}`…).

Keys, signature, SdkAppId and template codes come from the settings (docs/configuration.md).
`SMS_ENDPOINT` replaces the provider's host, with `SMS_ENDPOINT_SCHEME` (the tests point
both SDKs at a local fake server this way). A provider's refusal becomes `SmsSendError`:
retryable for flow control, throttling, server and network errors; final otherwise.
"""

import json

from django.conf import settings

from .backends import SmsSendError, template_code

# Alibaba Cloud codes worth another try later (flow control, provider trouble).
ALIYUN_RETRYABLE = (
    "isv.BUSINESS_LIMIT_CONTROL",
    "isp.SYSTEM_ERROR",
    "Throttling",
    "ServiceUnavailable",
    "InternalError",
)
# Tencent Cloud codes worth another try later.
TENCENT_RETRYABLE = (
    "InternalError",
    "RequestLimitExceeded",
    "LimitExceeded.DeliveryFrequencyLimit",
    "ClientNetworkError",
    "ServerNetworkError",
)


def _retryable(code, prefixes):
    return any(str(code or "").startswith(prefix) for prefix in prefixes)


class AliyunBackend:
    name = "aliyun"
    DEFAULT_ENDPOINT = "dysmsapi.aliyuncs.com"

    def __init__(self):
        from alibabacloud_dysmsapi20170525.client import Client  # noqa: PLC0415
        from alibabacloud_tea_openapi.utils_models import Config  # noqa: PLC0415

        timeout_ms = settings.SMS_TIMEOUT_SECONDS * 1000
        self.client = Client(
            Config(
                access_key_id=settings.SMS_ALIYUN_ACCESS_KEY_ID,
                access_key_secret=settings.SMS_ALIYUN_ACCESS_KEY_SECRET,
                endpoint=settings.SMS_ENDPOINT or self.DEFAULT_ENDPOINT,
                protocol=settings.SMS_ENDPOINT_SCHEME if settings.SMS_ENDPOINT else "https",
                connect_timeout=timeout_ms,
                read_timeout=timeout_ms,
            )
        )

    def send(self, message):
        from alibabacloud_dysmsapi20170525 import models  # noqa: PLC0415
        from alibabacloud_tea_openapi.exceptions import AlibabaCloudException  # noqa: PLC0415

        request = models.SendSmsRequest(
            phone_numbers=message.phone,
            sign_name=settings.SMS_SIGNATURE,
            template_code=template_code(message.key),
            template_param=json.dumps(message.params, ensure_ascii=False),
        )
        try:
            response = self.client.send_sms(request)
        except AlibabaCloudException as exc:
            code = exc.code or ""
            raise SmsSendError(
                f"阿里云 {code}: {exc.message or ''}".strip(),
                retryable=_retryable(code, ALIYUN_RETRYABLE) or (exc.status_code or 0) >= 500,
            ) from exc
        except Exception as exc:  # network errors, timeouts
            raise SmsSendError(f"阿里云连接失败: {type(exc).__name__}", retryable=True) from exc
        body = response.body
        if body is None or body.code != "OK":
            code = getattr(body, "code", "") or ""
            raise SmsSendError(
                f"阿里云 {code}: {getattr(body, 'message', '') or ''}".strip(),
                retryable=_retryable(code, ALIYUN_RETRYABLE),
            )
        return body.biz_id or body.request_id or ""


class TencentBackend:
    name = "tencent"
    DEFAULT_ENDPOINT = "sms.tencentcloudapi.com"

    def __init__(self):
        from tencentcloud.common import credential  # noqa: PLC0415
        from tencentcloud.common.profile.client_profile import ClientProfile  # noqa: PLC0415
        from tencentcloud.common.profile.http_profile import HttpProfile  # noqa: PLC0415
        from tencentcloud.sms.v20210111 import sms_client  # noqa: PLC0415

        http = HttpProfile(endpoint=settings.SMS_ENDPOINT or self.DEFAULT_ENDPOINT)
        http.scheme = settings.SMS_ENDPOINT_SCHEME if settings.SMS_ENDPOINT else "https"
        http.reqTimeout = settings.SMS_TIMEOUT_SECONDS
        self.client = sms_client.SmsClient(
            credential.Credential(settings.SMS_TENCENT_SECRET_ID, settings.SMS_TENCENT_SECRET_KEY),
            settings.SMS_TENCENT_REGION,
            ClientProfile(httpProfile=http),
        )

    def send(self, message):
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException  # noqa: PLC0415
        from tencentcloud.sms.v20210111 import models  # noqa: PLC0415

        request = models.SendSmsRequest()
        request.PhoneNumberSet = [f"+86{message.phone}"]
        request.SmsSdkAppId = settings.SMS_TENCENT_APP_ID
        request.SignName = settings.SMS_SIGNATURE
        request.TemplateId = template_code(message.key)
        request.TemplateParamSet = [message.params[name] for name in message.template.params]
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as exc:
            code = exc.get_code() or ""
            raise SmsSendError(
                f"腾讯云 {code}: {exc.get_message() or ''}".strip(), retryable=_retryable(code, TENCENT_RETRYABLE)
            ) from exc
        except Exception as exc:
            raise SmsSendError(f"腾讯云连接失败: {type(exc).__name__}", retryable=True) from exc
        statuses = response.SendStatusSet or []
        if not statuses:
            raise SmsSendError("腾讯云未返回发送结果", retryable=True)
        status = statuses[0]
        if status.Code != "Ok":
            raise SmsSendError(
                f"腾讯云 {status.Code}: {status.Message or ''}".strip(),
                retryable=_retryable(status.Code, TENCENT_RETRYABLE),
            )
        return status.SerialNo or response.RequestId or ""
