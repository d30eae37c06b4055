"""The SMS templates: one registry, key -> Chinese text, sent with the 【签名】 prefix.

`TEMPLATES[key].text` is what the console backend writes and what a county registers with
its provider (Alibaba Cloud: `${name}` variables; Tencent Cloud: `{1}`, `{2}`… in the
order of `params`). The signature comes from `settings.SMS_SIGNATURE`.
Every non-code message ends with 回复TD退订 (required by the carriers for notices).
"""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class SmsTemplate:
    key: str
    label: str
    text: str  # str.format() text with {param} fields, without the signature
    params: tuple  # parameter names, in the order Tencent Cloud's {1}, {2}… take them
    is_code: bool = False  # verification codes: sent at any hour, despite an opt-out

    def body(self, params):
        """The text without the signature, `params` filled in."""
        return self.text.format(**{name: params[name] for name in self.params})

    def render(self, params):
        """The full message as the phone shows it: 【签名】text."""
        return f"【{settings.SMS_SIGNATURE}】{self.body(params)}"

    @property
    def aliyun_text(self):
        """The text to register with Alibaba Cloud (${name} variables)."""
        return self.text.format(**{name: "${" + name + "}" for name in self.params})

    @property
    def tencent_text(self):
        """The text to register with Tencent Cloud ({1}, {2}… variables)."""
        return self.text.format(**{name: "{" + str(i) + "}" for i, name in enumerate(self.params, 1)})


TD = "回复TD退订"

_ALL = (
    SmsTemplate(
        "code",
        "验证码",
        "您的验证码为{code}，{minutes}分钟内有效，仅用于零工市场{purpose}。请勿告诉他人。",
        ("code", "minutes", "purpose"),
        is_code=True,
    ),
    SmsTemplate(
        "application_received",
        "报名已受理",
        "您已报名{market}{date}的{trade}岗位，请等待工作人员确认，咨询电话{hotline}。" + TD,
        ("market", "date", "trade", "hotline"),
    ),
    SmsTemplate(
        "match_confirmed",
        "报名已确认",
        "您报名的{trade}岗位已确认：{date} {time}到{place}上工，雇主电话{contact}，{market}电话{hotline}。" + TD,
        ("trade", "date", "time", "place", "contact", "market", "hotline"),
    ),
    SmsTemplate(
        "application_closed",
        "报名已关闭",
        "您报名的{market}{date}{trade}岗位已{reason}，本次报名已关闭，欢迎报名其他岗位。" + TD,
        ("market", "date", "trade", "reason"),
    ),
    SmsTemplate(
        "need_published",
        "招工信息已发布",
        "您提交的{trade}招工信息已由{market}审核发布，凭手机验证码可查看报名情况。" + TD,
        ("trade", "market"),
    ),
    SmsTemplate(
        "need_rejected",
        "招工信息未通过",
        "您提交的{trade}招工信息未通过{market}审核，原因：{reason}。咨询电话{hotline}。" + TD,
        ("trade", "market", "reason", "hotline"),
    ),
    SmsTemplate(
        "worker_confirmed",
        "零工已确认",
        "{worker}已确认{date}到岗您的{trade}用工，{market}电话{hotline}。" + TD,
        ("worker", "date", "trade", "market", "hotline"),
    ),
)

TEMPLATES = {template.key: template for template in _ALL}
CODE_TEMPLATE = "code"
