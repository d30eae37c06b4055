"""What the public (no login) pages of workers share: consent text, masking, the phone session.

- `CONSENT_VERSION` / `CONSENT_TEXT`: the personal-information notice (PIPL art. 13-14,
  28-29) shown before anything is submitted; each submission stores the version and time.
- `employer_public_name`: an individual employer is shown by surname only (周女士).
- The 我的报名 session: after an SMS code, the phone is kept for `MY_SESSION_SECONDS` in a
  signed, timestamped cookie holding its ciphertext (never the number in clear), so no
  password and no server-side session are needed.
"""

import re

from django.conf import settings
from django.core import signing

from gigmarket.core.pii import decrypt, encrypt
from gigmarket.core.sms import sms_enqueue

CONSENT_VERSION = "2026-12-v1"
CONSENT_TEXT = (
    "个人信息告知：您提交的姓名、手机号码、身份证号(选填)及求职信息，仅由本零工市场及其主管的人力资源社会保障部门"
    "用于本次求职报名、登记核验、对接结果短信通知和就业服务统计，不向用工主体以外的第三方提供；"
    "用工主体仅在窗口确认对接后获知您的姓名和联系方式。身份证号和手机号码加密保存，"
    "未转为正式登记或对接的报名信息在规定期限后自动删除。"
    "您可通过“我的报名”查询、撤回报名。提交即表示您已阅读并同意上述处理。"
)

MY_COOKIE = "gm_my"
MY_SALT = "registry.public.my-phone"
LARGE_COOKIE = "gm_large"

# Names an individual employer may carry as a title after the surname.
TITLES = ("女士", "先生", "师傅", "老板", "阿姨")


def mask_person_name(name):
    """周女士 for 周女士 (a title kept), 周** for 周丽娟: a person is never named in full in public.

    A note after the name (周女士(家庭保洁)) is dropped, and at most two stars are shown, so
    the mask tells nothing of the length of what it hides.
    """
    name = (name or "").strip()
    name = re.split(r"[(（]", name, maxsplit=1)[0].strip() or name
    if not name:
        return ""
    for title in TITLES:
        if name.endswith(title) and len(name) > len(title):
            return name[0] + title
    return name[0] + "*" * min(2, max(1, len(name) - 1))


def employer_public_name(employer):
    """An organisation by its name, a 家庭/个人 employer by a masked name."""
    if employer.kind == employer.Kind.PERSON:
        return mask_person_name(employer.name)
    return employer.name


# 我的报名: the verified phone in a signed cookie -----------------------------------------


def my_session_seconds():
    return getattr(settings, "MY_SESSION_SECONDS", 30 * 60)


def set_my_phone(response, phone):
    """Remember a verified phone for `my_session_seconds()` (ciphertext, signed, timestamped)."""
    response.set_signed_cookie(
        MY_COOKIE,
        encrypt(phone),
        salt=MY_SALT,
        max_age=my_session_seconds(),
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def my_phone(request):
    """The verified phone of this browser, or "" (none, expired, tampered)."""
    try:
        token = request.get_signed_cookie(MY_COOKIE, salt=MY_SALT, max_age=my_session_seconds())
    except (KeyError, signing.BadSignature):
        return ""
    try:
        return decrypt(token)
    except (ValueError, TypeError):
        return ""


def clear_my_phone(response):
    response.delete_cookie(MY_COOKIE, samesite="Lax")


# SMS -------------------------------------------------------------------------------------


def sms(*, to, template, params, county=None, related=None):
    """One outbox row in the caller's transaction (dispatched on commit by `gigmarket.core.sms`)."""
    return sms_enqueue(to=to, template=template, params=params, county=county, related=related)


# The national 人社 service hotline: what a message names when a market has published no number.
NATIONAL_HOTLINE = "12333"


def market_hotline(market):
    """The number a worker calls about a market: its hotline, else its contact phone, else 12333."""
    return market.valid_hotline or market.valid_contact_phone or NATIONAL_HOTLINE
