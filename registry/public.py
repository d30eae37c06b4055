"""What the public (no login) pages of workers share: consent text, masking, the phone session.

- `CONSENT_VERSION` / `CONSENT_TEXT`: the personal-information notice (PIPL art. 13-14,
  28-29) shown before anything is submitted; each submission stores the version and time.
- `employer_public_name`: an individual employer is shown by surname only (周女士).
- The proven phone: after an SMS code, the session keeps the phone's ciphertext (never the
  number in clear) for a set time, per purpose (我的报名, an employer's 我的招工), so no
  password is needed. `prove_phone` / `proven_phone` / `forget_phone` are the one way.
"""

import re
import time

from django.conf import settings

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


# The proven phone: one proof, kept in the session, per purpose -----------------------

# What a proof is for: 我的报名 (a worker's applications and pre-registrations) or 我的招工
# (an employer's needs). A proof for one does not open the other.
MY = "my"
EMPLOYER = "employer"
EMPLOYER_PROOF_SECONDS = 30 * 60


def proof_seconds(purpose):
    """How long a proof lasts: `MY_SESSION_SECONDS` for 我的报名, 30 minutes for an employer."""
    if purpose == MY:
        return settings.MY_SESSION_SECONDS
    return EMPLOYER_PROOF_SECONDS


def _proof_key(purpose):
    return f"phone_proof:{purpose}"


def prove_phone(request, phone, *, purpose):
    """Remember that this browser proved `phone` by SMS code, for `proof_seconds(purpose)`.

    The session holds the phone's ciphertext, never the number in clear; its key is
    renewed first, so a session id planted before the proof is worth nothing after it.
    """
    request.session.cycle_key()
    request.session[_proof_key(purpose)] = {"phone": encrypt(phone), "until": time.time() + proof_seconds(purpose)}


def proven_phone(request, *, purpose):
    """The phone this browser proved for `purpose`, or "" (none, expired, or written under a retired key)."""
    proof = request.session.get(_proof_key(purpose))
    if not isinstance(proof, dict) or proof.get("until", 0) < time.time():
        return ""
    try:
        return decrypt(proof["phone"])
    except (KeyError, ValueError, TypeError):
        return ""


def forget_phone(request, *, purpose):
    request.session.pop(_proof_key(purpose), None)


# SMS -------------------------------------------------------------------------------------


def sms(*, to, template, params, county=None, related=None):
    """One outbox row in the caller's transaction (dispatched on commit by `gigmarket.core.sms`)."""
    return sms_enqueue(to=to, template=template, params=params, county=county, related=related)


# The national 人社 service hotline: what a message names when a market has published no number.
NATIONAL_HOTLINE = "12333"


def market_hotline(market):
    """The number a worker calls about a market: its hotline, else its contact phone, else 12333."""
    return market.valid_hotline or market.valid_contact_phone or NATIONAL_HOTLINE
