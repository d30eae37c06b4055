"""The URL × role × scope permission table: what each role may do with each URL.

Every URL name of the portal (Django admin aside) has an `Entry`. An entry says how
to build the URL's objects — one in 南明区 ("nanming") and one in 遵义市红花岗区
("zunyi") — which methods to try, the POST payload, and the expected status for each
role on each side. The roles are the fixed cast of `tests/conftest.py`:

    province, auditor       the whole province (the auditor only reads)
    city                    贵阳市 (南明 yes, 遵义 no)
    county                  南明区
    county2                 云岩区 (a neighbour in the same 市州: 南明 is out of scope)
    clerk                   the window clerk of the 南明 market

Statuses: 200 page, 302 done (redirect), 403 role may not, 404 out of scope,
405 wrong method; DENY = 403 or 404 (a role that may not, on an object it cannot
see either: both refusals are right). Anonymous users are sent to the login page
(302) on every non-public page.

The table states the intended rules (notice, issue and docs/conventions.md), not
what the code happens to do: a cell that fails is a bug in the app.
"""

import datetime
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from gigmarket.core.models import ExportJob
from registry.models import WindowVisit
from tests.factories.markets import png_upload
from tests.factories.registry import id_number_for

from .world import initial_data

OK, DONE, LOGIN = 200, 302, 302
INVALID = 400  # a form re-rendered with its errors
FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 403, 404, 405
DENY = frozenset({FORBIDDEN, NOT_FOUND})
GONE = 410  # a download past its deadline

STAFF = ("province", "auditor", "city", "county", "county2", "clerk")
WRITERS = ("province", "city", "county", "county2", "clerk")
MARKET_KEEPERS = ("province", "city", "county", "county2")
COUNTY_DESK = ("county", "county2", "clerk")
MANAGERS = ("province", "city", "county", "county2")

# Which side each role can see: (南明 object, 遵义 object).
REACH = {
    "province": (True, True),
    "auditor": (True, True),
    "city": (True, False),
    "county": (True, False),
    "county2": (False, False),
    "clerk": (True, False),
}


def scoped(ok=OK, allowed=STAFF, anonymous=LOGIN, reach=REACH):
    """Cells for a URL about one scoped object: {role: (南明 status, 遵义 status)}."""
    cells = {"anonymous": (anonymous, anonymous)}
    for role, sides in reach.items():
        if role in allowed:
            cells[role] = tuple(ok if seen else NOT_FOUND for seen in sides)
        else:
            cells[role] = tuple(FORBIDDEN if seen else DENY for seen in sides)
    return cells


def flat(ok=OK, allowed=STAFF, anonymous=LOGIN, others=FORBIDDEN):
    """Cells for a URL without a scoped object: {role: (status,)}."""
    cells = {"anonymous": (anonymous,)}
    for role in STAFF:
        cells[role] = (ok if role in allowed else others,)
    return cells


def public(ok=OK, scoped_object=False):
    n = 2 if scoped_object else 1
    return dict.fromkeys(("anonymous", *STAFF), (ok,) * n)


POST_ONLY = flat(NOT_ALLOWED)
# A POST-only view refuses GET (405) before it looks at the object.
POST_ONLY_OBJECT = {"anonymous": (LOGIN, LOGIN)} | dict.fromkeys(STAFF, (NOT_ALLOWED, NOT_ALLOWED))


@dataclass
class Entry:
    """How to exercise one URL name.

    kwargs / query / payload: callables (world, where, user) -> dict. With `kwargs` or
    `query` the URL is about a scoped object and is tried on both sides.
    get / post: expected cells (see `scoped`, `flat`); post=None means no POST is tried.
    post_changes: an allowed POST must change the database (proves the payload works).
    """

    get: dict
    kwargs: object = None
    query: object = None
    post: dict | None = None
    payload: object = None
    post_changes: bool = True
    one_side: bool = False
    note: str = ""

    @property
    def sides(self):
        """Both sides for a URL about a scoped object, one side otherwise."""
        return ["nanming", "zunyi"] if (self.kwargs or self.query) and not self.one_side else ["nanming"]


def today():
    return timezone.localdate().isoformat()


# Payload builders ------------------------------------------------------------------------


def market_form(w, where, user, **overrides):
    data = {
        "kind": "industry",
        "industry": f"矩阵{w.next()}",
        "nature": "public",
        "basis": "public_hr",
        "operator": "就业局",
        "contact_person": "王敏",
        "contact_phone": "0851-85550101",
        "hotline": "12333",
        "address": "矩阵测试地址1号",
        "status": "operating",
        "zone_service": "on",
        "hours-TOTAL_FORMS": "1",
        "hours-INITIAL_FORMS": "0",
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "14",
        "hours-0-weekdays": ["1", "2", "3"],
        "hours-0-opens": "07:00",
        "hours-0-closes": "11:00",
    }
    data.update(overrides)
    return data


def market_create_payload(w, where, user):
    return market_form(w, where, user, county=str(w.home_county(user).pk))


def rectification_payload(w, where, user, **overrides):
    deadline = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    return {"deadline": deadline, "responsible_person": "矩阵", "responsible_phone": "", "note": "", **overrides}


def market_edit_payload(w, where, user):
    market = w.market(where)
    return market_form(w, where, user, industry=market.industry, address="矩阵改过的地址8号")


def user_payload(w, where, user, target=None):
    market = target.market if target else w.home_market(user)
    data = {
        "username": target.username if target else f"made_by_{user.username}",
        "full_name": "矩阵改名" if target else "矩阵新账号",
        "phone": "",
        "email": "",
        "role": "clerk",
        "division": "",
        "market": str(market.pk),
        "is_active": "on",
    }
    if target is None:
        data.update(password1="Matrix-Pass-2026!", password2="Matrix-Pass-2026!")
    return data


def worker_register_payload(w, where, user):
    from tests.factories.registry import id_number_for

    return {
        "name": "矩阵登记",
        "id_number": id_number_for(300, region=w.home_county(user).code),
        "mobile": "13800003000",
        "pay_unit": "day",
        "market": str(w.home_market(user).pk),
        "token": str(uuid.uuid4()),
    }


def worker_edit_payload(w, where, user):
    from registry.forms import WorkerDetailsForm

    data = initial_data(WorkerDetailsForm(instance=w.worker(where)))
    data["notes"] = "矩阵修改"
    return data


def employer_edit_payload(w, where, user):
    from registry.forms import EmployerForm

    return {**initial_data(EmployerForm(instance=w.employer(where))), "address": "矩阵改过的地址"}


def need_form_payload(w, where, user):
    """A complete 我要招工 form with a code really sent to its own mobile (one per role)."""
    from gigmarket.core.models import SmsMessage
    from gigmarket.core.sms import code_send

    n = w.next()
    phone = f"1350000{n:04d}"
    row = code_send(phone=phone, purpose="employer", ip=f"10.8.{n // 250}.{n % 250}")
    return {
        "market": str(w.market(where).pk),
        "kind": "person",
        "name": "矩阵招工",
        "trade": str(w.trade().pk),
        "headcount": "1",
        "pay": "200",
        "pay_unit": "day",
        "work_date": today(),
        "place": "矩阵工地",
        "phone": phone,
        "code": SmsMessage.objects.get(pk=row.message_id).params["code"],
        "consent": "on",
        "action": "submit",
    }


def posting_payload(w, where, user, prefix=""):
    data = {
        "trade": str(w.trade().pk),
        "headcount": "1",
        "pay": "200",
        "pay_unit": "day",
        "work_date": today(),
        "place": "矩阵工地",
    }
    return {f"{prefix}{k}": v for k, v in data.items()}


def posting_quick_payload(w, where, user):
    employer = {
        "e-name": "矩阵个人雇主",
        "e-kind": "person",
        "e-phone": "13900005555",
    }
    return {**employer, **posting_payload(w, where, user, prefix="p-")}


def training_payload(w, where, user):
    start = timezone.localdate()
    return {
        "course": "矩阵电工培训",
        "trade": str(w.trade().pk),
        "start_date": start.isoformat(),
        "end_date": start.isoformat(),
        "mode": "offline",
        "is_published": "on",
    }


def training_edit_payload(w, where, user):
    from registry.forms import TrainingOfferForm

    data = initial_data(TrainingOfferForm(instance=w.training(where), user=w.users["province"]))
    data["course"] = "矩阵改过的课程"
    return data


def policy_payload(w, where, user):
    return {"category": "other", "title": "矩阵政策解读", "body": "矩阵正文", "source": "", "is_public": "on"}


def policy_edit_payload(w, where, user):
    from registry.forms import PolicyNoteForm

    return {**initial_data(PolicyNoteForm(instance=w.policy(where))), "title": "矩阵改过的标题"}


def case_payload(w, where, user):
    data = {
        "worker": str(w.worker(where).pk),
        "kind": "other",
        "summary": "矩阵受理",
        "amount_owed": "0",
        "amount_recovered": "0",
        "received_on": today(),
        "employer_query": "",
    }
    if not getattr(user, "market_id", None):
        data["market"] = str(w.market(where).pk)
    return data


def case_edit_payload(w, where, user):
    case = w.case(where)
    return {
        "kind": case.kind,
        "summary": "矩阵改过的案情",
        "amount_owed": str(case.amount_owed or ""),
        "amount_recovered": str(case.amount_recovered or 0),
        "received_on": case.received_on.isoformat() if case.received_on else today(),
        "employer_query": case.employer.credit_code if case.employer else "",
    }


def placement_payload(w, where, user, worker=True):
    data = {"post": "矩阵保洁", "unit": "街道办", "start_date": today(), "status": "active"}
    if worker:
        data["worker"] = str(w.recognised(where).pk)
    return data


def rule_payload(w, where, user, rule=None):
    if rule is None:
        return {
            "name": "矩阵临时报送",
            "cadence": "once",
            "effective_from": "2031-01-01",
            "effective_until": "2031-03-31",
            "fixed_due_date": "2031-04-10",
            "due_offset_days": "10",
        }
    from reporting.forms import RuleForm

    return {**initial_data(RuleForm(instance=rule)), "name": rule.name + "（矩阵）"}


def failed_sms(w, where):
    """A notice that failed for good, in the side's county."""

    def build():
        from gigmarket.core.models import SmsMessage
        from gigmarket.core.sms import sms_enqueue

        message = sms_enqueue(
            to=f"1370000{w.next():04d}",
            template="need_published",
            params={"trade": "保洁", "market": "矩阵市场"},
            county=w.county(where),
        )
        SmsMessage.objects.filter(pk=message.pk).update(state="failed", attempts=5, last_error="矩阵：发送失败")
        return message

    return w._once(("failed_sms", where), build)


def expired_export(w):
    def build():
        name = default_storage.save("exports/matrix.csv", ContentFile(b"\xef\xbb\xbf\xe5\xa7\x93\xe5\x90\x8d\r\n"))
        return ExportJob.objects.create(
            owner=w.users["province"],
            kind="registry.workers_csv",
            title="零工名单(CSV)",
            state=ExportJob.State.DONE,
            rows_total=0,
            file=name,
            filename="workers.csv",
            finished_at=timezone.now() - datetime.timedelta(days=2),
            expires_at=timezone.now() - datetime.timedelta(days=1),
        )

    return w._once("expired_export", build)


# The table ---------------------------------------------------------------------------------

MATRIX = {
    # Core: home, health, login, accounts, audit log.
    "home": Entry(get=public()),
    "healthz": Entry(get=public()),
    # Browsers post CSP reports as JSON without a CSRF token; a form post is not a report (400).
    "csp_report": Entry(
        get=public(NOT_ALLOWED), post=public(400), payload=lambda w, s, u: {"a": "b"}, post_changes=False
    ),
    "login": Entry(get=flat(DONE, anonymous=OK)),
    "logout": Entry(get=public(NOT_ALLOWED), post=public(DONE), payload=lambda w, s, u: {}, post_changes=False),
    "password_change": Entry(get=flat()),
    "password_change_done": Entry(get=flat()),
    "user_list": Entry(get=flat(allowed=MANAGERS)),
    "user_create": Entry(
        get=flat(allowed=MANAGERS),
        post=flat(DONE, allowed=MANAGERS),
        payload=user_payload,
    ),
    "user_edit": Entry(
        kwargs=lambda w, s, u: {"pk": w.staff(s).pk},
        get=scoped(allowed=MANAGERS),
        post=scoped(DONE, allowed=MANAGERS),
        payload=lambda w, s, u: user_payload(w, s, u, target=w.staff(s)),
    ),
    "user_password": Entry(
        kwargs=lambda w, s, u: {"pk": w.staff(s).pk},
        get=scoped(allowed=MANAGERS),
        post=scoped(DONE, allowed=MANAGERS),
        payload=lambda w, s, u: {"password1": "Matrix-Pass-2026!", "password2": "Matrix-Pass-2026!"},
    ),
    "user_toggle_active": Entry(
        kwargs=lambda w, s, u: {"pk": w.staff(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=MANAGERS),
        payload=lambda w, s, u: {},
    ),
    # Two-factor login. Staff here sign in with force_login and no authenticator, and the tests'
    # policy requires none: the pages send them on (302) and change nothing. tests/core/test_two_factor.py
    # covers each page with an enrolled user.
    "two_factor_setup": Entry(
        get=flat(),
        post=flat(DONE),
        payload=lambda w, s, u: {"code": "123456"},
        post_changes=False,
        note="a POST without an enrolment under way goes back to the enrolment page",
    ),
    "two_factor_verify": Entry(
        get=flat(DONE),
        post=flat(DONE),
        payload=lambda w, s, u: {"code": "123456"},
        post_changes=False,
        note="nothing to verify without an authenticator: on to the dashboard",
    ),
    "two_factor_recovery_codes": Entry(get=flat(DONE), post=flat(DONE), payload=lambda w, s, u: {}, post_changes=False),
    "two_factor_recovery_download": Entry(get=flat(DONE), note="no new codes in the session: to the 2FA page"),
    "two_factor_recovery_regenerate": Entry(
        get=POST_ONLY, post=flat(DONE), payload=lambda w, s, u: {}, post_changes=False
    ),
    "user_two_factor_reset": Entry(
        kwargs=lambda w, s, u: {"pk": w.staff(s).pk},
        get=scoped(allowed=MANAGERS),
        post=scoped(DONE, allowed=MANAGERS),
        payload=lambda w, s, u: {"reason": "矩阵重置：手机丢失"},
    ),
    "county_two_factor_policy": Entry(
        get=POST_ONLY,
        post=flat(DONE, allowed=("county", "county2")),
        payload=lambda w, s, u: {"clerks_need_two_factor": "on"},
        note="a county sets the switch for its own clerks only",
    ),
    "audit_list": Entry(get=flat()),
    "audit_export": Entry(get=flat()),
    # Background exports (gigmarket.core.export_jobs): everyone lists their own; a job's file is
    # its owner's alone (anyone else: 404). The job here is past its deadline, so its owner
    # gets 410 (and the file is removed, leaving nothing behind); tests/core/test_export_jobs.py
    # downloads a fresh one.
    "export_job_list": Entry(get=flat()),
    "export_job_download": Entry(
        kwargs=lambda w, s, u: {"pk": expired_export(w).pk},
        one_side=True,
        get=flat(GONE, allowed=("province",), others=NOT_FOUND),
    ),
    "division_list": Entry(get=flat()),
    "division_toggle_active": Entry(
        kwargs=lambda w, s, u: {"pk": w.county(s).pk},
        get=POST_ONLY_OBJECT,
        post=public(FORBIDDEN, scoped_object=True) | {"anonymous": (LOGIN, LOGIN), "province": (DONE, DONE)},
        payload=lambda w, s, u: {},
        note="only province staff mark a county inactive; any county, so both sides",
    ),
    # SMS outbox (gigmarket.core.sms): every staff role reads its scope's rows; writers record
    # an opt-out (a different number each time, so every allowed POST changes the table).
    "sms:outbox": Entry(get=flat()),
    "sms:opt_out": Entry(
        get=POST_ONLY,
        post=flat(DONE, allowed=WRITERS),
        payload=lambda w, s, u: {"phone": f"1390000{w.next():04d}"},
    ),
    "sms:resend": Entry(
        kwargs=lambda w, s, u: {"pk": failed_sms(w, s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: {},
    ),
    "sms:inbound": Entry(
        kwargs=lambda w, s, u: {"token": "not-the-token"},
        one_side=True,
        get=public(NOT_ALLOWED),
        post=public(NOT_FOUND),
        payload=lambda w, s, u: {"mobile": "13900000000", "text": "TD"},
        post_changes=False,
        note="the provider's webhook: off while SMS_INBOUND_TOKEN is empty, 404 for a wrong token (tests/sms)",
    ),
    "sms:demo": Entry(get=public(NOT_FOUND), note="DEBUG only (make run); tests run with DEBUG off"),
    # Markets.
    "markets:list": Entry(get=flat()),
    "markets:create": Entry(
        get=flat(allowed=MARKET_KEEPERS),
        post=flat(DONE, allowed=MARKET_KEEPERS),
        payload=market_create_payload,
    ),
    "markets:export": Entry(get=flat()),
    "markets:import": Entry(
        get=flat(allowed=MARKET_KEEPERS),
        post=flat(INVALID, allowed=MARKET_KEEPERS),
        payload=lambda w, s, u: {},
        post_changes=False,
        note="an empty upload (400, 请选择文件): only the permission is checked here",
    ),
    "markets:import_template": Entry(get=flat()),
    "markets:compliance": Entry(query=lambda w, s, u: {"county": w.county(s).pk}, get=scoped()),
    "markets:detail": Entry(kwargs=lambda w, s, u: {"pk": w.market(s).pk}, get=scoped()),
    "markets:edit": Entry(
        kwargs=lambda w, s, u: {"pk": w.market(s).pk},
        get=scoped(allowed=MARKET_KEEPERS),
        post=scoped(DONE, allowed=MARKET_KEEPERS),
        payload=market_edit_payload,
    ),
    "markets:close": Entry(
        kwargs=lambda w, s, u: {"pk": w.market(s).pk},
        get=scoped(allowed=MARKET_KEEPERS),
        post=scoped(DONE, allowed=MARKET_KEEPERS),
        payload=lambda w, s, u: {"closed_on": today(), "reason": "矩阵测试撤销"},
    ),
    "markets:qr": Entry(kwargs=lambda w, s, u: {"pk": w.market(s).pk}, get=scoped()),
    "markets:version": Entry(
        kwargs=lambda w, s, u: {"pk": w.market(s).pk, "number": w.version(s).number}, get=scoped()
    ),
    # 整改: every staff role reads in scope; every writer (not the auditor) opens and follows up.
    "markets:rectification_list": Entry(get=flat()),
    "markets:rectification_create": Entry(
        kwargs=lambda w, s, u: {"pk": w.market(s).pk},
        query=lambda w, s, u: {"item": "zones"},
        get=scoped(allowed=WRITERS),
        post=scoped(DONE, allowed=WRITERS),
        payload=rectification_payload,
    ),
    "markets:rectification_detail": Entry(kwargs=lambda w, s, u: {"pk": w.rectification(s).pk}, get=scoped()),
    "markets:rectification_update": Entry(
        kwargs=lambda w, s, u: {"pk": w.rectification(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: rectification_payload(w, s, u, responsible_person="矩阵改人"),
    ),
    "markets:photo_add": Entry(
        kwargs=lambda w, s, u: {"pk": w.rectification(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: {"image": png_upload(), "caption": "矩阵照片"},
    ),
    "markets:rectification_close": Entry(
        kwargs=lambda w, s, u: {"pk": w.rectification(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: {"note": "矩阵关闭"},
    ),
    "markets:rectification_photo": Entry(kwargs=lambda w, s, u: {"pk": w.rectification_photo(s).pk}, get=scoped()),
    "markets:trade_list": Entry(get=flat()),
    "markets:trade_create": Entry(
        get=flat(allowed=("province",)),
        post=flat(DONE, allowed=("province",)),
        payload=lambda w, s, u: {"code": "ZZ-99", "name": "矩阵新工种", "sort_order": "1", "is_active": "on"},
    ),
    "markets:trade_edit": Entry(
        kwargs=lambda w, s, u: {"pk": w.own_trade().pk},
        get=public(FORBIDDEN, scoped_object=True) | {"anonymous": (LOGIN, LOGIN), "province": (OK, OK)},
        post=public(FORBIDDEN, scoped_object=True) | {"anonymous": (LOGIN, LOGIN), "province": (DONE, DONE)},
        payload=lambda w, s, u: {"code": "ZZ-01", "name": "矩阵改名工种", "sort_order": "2", "is_active": "on"},
        note="trades are province-wide: both sides are the same trade",
    ),
    "markets:trade_toggle": Entry(
        kwargs=lambda w, s, u: {"pk": w.own_trade().pk},
        get=public(NOT_ALLOWED, scoped_object=True) | {"anonymous": (LOGIN, LOGIN)},
        post=public(FORBIDDEN, scoped_object=True) | {"anonymous": (LOGIN, LOGIN), "province": (DONE, DONE)},
        payload=lambda w, s, u: {},
    ),
    "markets:directory": Entry(get=public()),
    "markets:directory_detail": Entry(kwargs=lambda w, s, u: {"pk": w.market(s).pk}, get=public(scoped_object=True)),
    "markets:directory_qr": Entry(kwargs=lambda w, s, u: {"pk": w.market(s).pk}, get=public(scoped_object=True)),
    # Registry.
    "registry:desk": Entry(get=flat()),
    "registry:visit_list": Entry(get=flat()),
    "registry:visit_record": Entry(
        get=POST_ONLY,
        post=flat(DONE, allowed=("clerk",)),
        payload=lambda w, s, u: {"window": WindowVisit.Window.values[0], "topic": "矩阵来访"},
    ),
    "registry:worker_list": Entry(get=flat()),
    "registry:worker_register": Entry(
        get=flat(allowed=COUNTY_DESK),
        post=flat(DONE, allowed=COUNTY_DESK),
        payload=worker_register_payload,
    ),
    "registry:worker_export": Entry(get=flat()),
    "registry:worker_detail": Entry(kwargs=lambda w, s, u: {"pk": w.worker(s).pk}, get=scoped()),
    "registry:worker_edit": Entry(
        kwargs=lambda w, s, u: {"pk": w.worker(s).pk},
        get=scoped(allowed=WRITERS),
        post=scoped(DONE, allowed=WRITERS),
        payload=worker_edit_payload,
    ),
    "registry:worker_reveal": Entry(
        kwargs=lambda w, s, u: {"pk": w.worker(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(OK, allowed=COUNTY_DESK),
        payload=lambda w, s, u: {},
        note="the page with the full 身份证号; the reveal is audited (a database change)",
    ),
    "registry:worker_reveal_phones": Entry(
        kwargs=lambda w, s, u: {"pk": w.worker(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(OK, allowed=COUNTY_DESK),
        payload=lambda w, s, u: {},
        note="the page with the full phones; each reveal is audited (a database change)",
    ),
    "registry:transfer_list": Entry(get=flat()),
    "registry:employer_list": Entry(get=flat()),
    "registry:employer_reveal": Entry(
        kwargs=lambda w, s, u: {"pk": w.employer(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(OK, allowed=WRITERS),
        payload=lambda w, s, u: {},
        note="the page with the employer's full phone; the reveal is audited (a database change)",
    ),
    "registry:employer_detail": Entry(kwargs=lambda w, s, u: {"pk": w.employer(s).pk}, get=scoped()),
    "registry:employer_edit": Entry(
        kwargs=lambda w, s, u: {"pk": w.employer(s).pk},
        get=scoped(allowed=WRITERS),
        post=scoped(DONE, allowed=WRITERS),
        payload=employer_edit_payload,
    ),
    "registry:posting_create": Entry(
        kwargs=lambda w, s, u: {"employer_pk": w.employer(s).pk},
        get=scoped(allowed=("clerk",)),
        post=scoped(DONE, allowed=("clerk",)),
        payload=posting_payload,
    ),
    "registry:posting_list": Entry(get=flat()),
    "registry:posting_quick": Entry(
        get=flat(allowed=("clerk",)),
        post=flat(DONE, allowed=("clerk",)),
        payload=posting_quick_payload,
    ),
    "registry:posting_detail": Entry(kwargs=lambda w, s, u: {"pk": w.posting(s).pk}, get=scoped()),
    "registry:posting_close": Entry(
        kwargs=lambda w, s, u: {"pk": w.posting(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: {"status": "filled"},
    ),
    "registry:training_list": Entry(get=flat()),
    "registry:training_create": Entry(
        get=flat(allowed=COUNTY_DESK),
        post=flat(DONE, allowed=COUNTY_DESK),
        payload=training_payload,
    ),
    "registry:training_detail": Entry(
        kwargs=lambda w, s, u: {"pk": w.training(s).pk},
        get=scoped(),
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: {"person": w.worker(s).mobile},
        note="POST signs a worker of the offer's county up",
    ),
    "registry:training_edit": Entry(
        kwargs=lambda w, s, u: {"pk": w.training(s).pk},
        get=scoped(allowed=WRITERS),
        post=scoped(DONE, allowed=WRITERS),
        payload=training_edit_payload,
    ),
    "registry:training_signup_status": Entry(
        kwargs=lambda w, s, u: {"pk": w.training(s).pk, "signup_pk": w.signup(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: {"to": "attending"},
        note="POST records a sign-up's progress (已报名 → 参训中)",
    ),
    "registry:policy_list": Entry(get=flat()),
    "registry:policy_create": Entry(
        get=flat(allowed=COUNTY_DESK),
        post=flat(DONE, allowed=COUNTY_DESK),
        payload=policy_payload,
    ),
    "registry:policy_edit": Entry(
        kwargs=lambda w, s, u: {"pk": w.policy(s).pk},
        get=scoped(allowed=WRITERS),
        post=scoped(DONE, allowed=WRITERS),
        payload=policy_edit_payload,
    ),
    "registry:recognition_create": Entry(
        kwargs=lambda w, s, u: {"pk": w.worker(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: {"basis": "disabled", "recognised_on": today(), "document_no": "JK-矩阵"},
    ),
    "registry:recognition_end": Entry(
        kwargs=lambda w, s, u: {"pk": w.recognition(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: {"on": today(), "reason": "矩阵：已就业"},
    ),
    "registry:assistance_list": Entry(get=flat()),
    "registry:assistance_create": Entry(
        kwargs=lambda w, s, u: {"pk": w.hardship(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: {"owner": str(u.pk), "goal": "矩阵：三个月内实现就业"},
    ),
    "registry:assistance_detail": Entry(kwargs=lambda w, s, u: {"pk": w.assistance_plan(s).pk}, get=scoped()),
    "registry:assistance_step_create": Entry(
        kwargs=lambda w, s, u: {"pk": w.assistance_plan(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: {"service": "job_referral", "detail": "矩阵推荐", "due_on": today()},
    ),
    "registry:assistance_note_create": Entry(
        kwargs=lambda w, s, u: {"pk": w.assistance_plan(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: {"kind": "follow_up", "on": today(), "text": "矩阵回访"},
    ),
    "registry:assistance_close": Entry(
        kwargs=lambda w, s, u: {"pk": w.assistance_plan(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: {"outcome": "employed", "note": "矩阵就业", "on": today()},
    ),
    "registry:assistance_step_done": Entry(
        kwargs=lambda w, s, u: {"pk": w.assistance_step(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: {"on": today(), "note": "矩阵完成"},
    ),
    "registry:insurance_create": Entry(
        kwargs=lambda w, s, u: {"pk": w.worker(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: {
            "insurer": "矩阵保险公司",
            "policy_no": f"JZ-{w.next()}",
            "starts_on": today(),
            "ends_on": today(),
            "premium": "60",
        },
    ),
    "registry:subsidy_list": Entry(get=flat()),
    "registry:subsidy_totals": Entry(get=flat()),
    "registry:subsidy_export": Entry(get=flat()),
    "registry:subsidy_create": Entry(
        kwargs=lambda w, s, u: {"worker_pk": w.insured(s).pk},
        get=scoped(allowed=WRITERS),
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: {
            "kind": "accident_insurance",
            "year": str(timezone.localdate().year - 1),
            "amount_requested": "80",
            "evidence": ["意外伤害保险保单"],
        },
    ),
    "registry:subsidy_detail": Entry(kwargs=lambda w, s, u: {"pk": w.subsidy(s).pk}, get=scoped()),
    "registry:subsidy_action": Entry(
        kwargs=lambda w, s, u: {"pk": w.subsidy(s).pk, "action": "approve"},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=("province", "county", "county2")),
        payload=lambda w, s, u: {"amount": "100"},
        note="county staff of the applicant's county review (the province for any county)",
    ),
    "registry:board": Entry(kwargs=lambda w, s, u: {"market_pk": w.market(s).pk}, get=public(scoped_object=True)),
    "registry:public_postings": Entry(
        kwargs=lambda w, s, u: {"market_pk": w.market(s).pk}, get=public(scoped_object=True)
    ),
    "registry:public_policies": Entry(get=public()),
    # The people's side (issue 15): public worker pages and the counter's online queue.
    "jobs:search": Entry(get=public()),
    "jobs:large_type": Entry(get=public(DONE)),
    "jobs:apply": Entry(kwargs=lambda w, s, u: {"pk": w.posting(s).pk}, get=public(scoped_object=True)),
    "jobs:my": Entry(get=public()),
    "jobs:my_logout": Entry(get=public(NOT_ALLOWED), post=public(DONE), payload=lambda w, s, u: {}, post_changes=False),
    "jobs:my_withdraw": Entry(
        kwargs=lambda w, s, u: {"pk": w.application(s).pk},
        get=public(NOT_ALLOWED, scoped_object=True),
        post=public(NOT_FOUND, scoped_object=True),
        payload=lambda w, s, u: {},
        note="only with the phone proved by SMS code (no session here: not found)",
    ),
    "jobs:queue": Entry(
        query=lambda w, s, u: {"market": w.market(s).pk},
        get=scoped(),
        post=scoped(),
        payload=lambda w, s, u: {"mobile": "13800000000"},
        post_changes=False,
        note="POST is the find-by-phone search",
    ),
    "jobs:application_accept": Entry(
        kwargs=lambda w, s, u: {"pk": w.application(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: {},
    ),
    "jobs:application_close": Entry(
        kwargs=lambda w, s, u: {"pk": w.application(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: {},
    ),
    "prereg:register": Entry(kwargs=lambda w, s, u: {"market_pk": w.market(s).pk}, get=public(scoped_object=True)),
    "prereg:withdraw": Entry(
        kwargs=lambda w, s, u: {"pk": w.prereg(s).pk},
        get=public(NOT_ALLOWED, scoped_object=True),
        post=public(NOT_FOUND, scoped_object=True),
        payload=lambda w, s, u: {},
    ),
    "prereg:complete": Entry(
        kwargs=lambda w, s, u: {"pk": w.prereg(s).pk},
        get=scoped(),
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: {
            "id_number": id_number_for(5, region=w.county(s).code, birth=datetime.date(1970, 1, 1)),
            "token": w.token(),
        },
    ),
    # 我要招工 (/hire/): public form and the employer's own needs; the clerk's review.
    "hire:form": Entry(get=public(), post=public(DONE), payload=need_form_payload),
    "hire:mine": Entry(
        get=public(), post=public(DONE), payload=lambda w, s, u: {"action": "logout"}, post_changes=False
    ),
    "hire:queue": Entry(get=flat()),
    "hire:review": Entry(kwargs=lambda w, s, u: {"pk": w.need(s).pk}, get=scoped()),
    "hire:publish": Entry(
        kwargs=lambda w, s, u: {"pk": w.need(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=("clerk",)),
        payload=lambda w, s, u: {},
        note="only the window clerk of the need's market publishes it",
    ),
    "hire:reject": Entry(
        kwargs=lambda w, s, u: {"pk": w.need(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=("clerk",)),
        payload=lambda w, s, u: {"reason": "矩阵驳回原因"},
    ),
    # Matching.
    "matching:board": Entry(query=lambda w, s, u: {"market": w.market(s).pk}, get=scoped()),
    "matching:overview": Entry(get=flat()),
    "matching:posting_candidates": Entry(kwargs=lambda w, s, u: {"pk": w.posting(s).pk}, get=scoped()),
    "matching:worker_postings": Entry(kwargs=lambda w, s, u: {"pk": w.worker(s).pk}, get=scoped()),
    "matching:match_list": Entry(get=flat()),
    "matching:match_create": Entry(
        query=lambda w, s, u: {},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: {"posting": w.posting(s).pk, "worker": w.worker(s).pk, "token": w.token()},
        note="the posting and the worker come in the POST body",
    ),
    "matching:match_detail": Entry(kwargs=lambda w, s, u: {"pk": w.match(s).pk}, get=scoped()),
    "matching:match_transition": Entry(
        kwargs=lambda w, s, u: {"pk": w.match(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: {"to": "confirmed"},
    ),
    "matching:match_terms": Entry(
        kwargs=lambda w, s, u: {"pk": w.match(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: {"agreed_pay": "321", "note": "矩阵"},
    ),
    "matching:match_insurance": Entry(
        kwargs=lambda w, s, u: {"pk": w.match(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: {
            "insurer": "矩阵保险公司",
            "policy_no": f"JZ-M-{w.next()}",
            "starts_on": w.match(s).work_date.isoformat(),
            "ends_on": w.match(s).work_date_end.isoformat(),
            "premium": "3",
        },
    ),
    "matching:match_agreement": Entry(kwargs=lambda w, s, u: {"pk": w.match(s, "confirmed").pk}, get=scoped()),
    "matching:case_list": Entry(get=flat()),
    "matching:case_create": Entry(
        query=lambda w, s, u: {"worker": w.worker(s).pk},
        get=scoped(allowed=WRITERS),
        post=scoped(DONE, allowed=WRITERS),
        payload=case_payload,
    ),
    "matching:case_detail": Entry(kwargs=lambda w, s, u: {"pk": w.case(s).pk}, get=scoped()),
    "matching:case_edit": Entry(
        kwargs=lambda w, s, u: {"pk": w.case(s).pk},
        get=scoped(allowed=WRITERS),
        post=scoped(DONE, allowed=WRITERS),
        payload=case_edit_payload,
    ),
    "matching:case_transition": Entry(
        kwargs=lambda w, s, u: {"pk": w.case(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: {"to": "mediating", "note": "矩阵调解"},
    ),
    "matching:case_note": Entry(
        kwargs=lambda w, s, u: {"pk": w.case(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: {"on": today(), "text": "矩阵记录"},
    ),
    "matching:placement_list": Entry(get=flat()),
    "matching:placement_create": Entry(
        query=lambda w, s, u: {"worker": w.recognised(s).pk},
        get=scoped(allowed=WRITERS),
        post=scoped(DONE, allowed=WRITERS),
        payload=placement_payload,
    ),
    "matching:placement_detail": Entry(kwargs=lambda w, s, u: {"pk": w.placement(s).pk}, get=scoped()),
    "matching:placement_edit": Entry(
        kwargs=lambda w, s, u: {"pk": w.placement(s).pk},
        get=scoped(allowed=WRITERS),
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: placement_payload(w, s, u, worker=False),
    ),
    "matching:placement_follow_up": Entry(
        kwargs=lambda w, s, u: {"pk": w.placement(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: {"on": today(), "text": "矩阵回访"},
    ),
    # 欠薪 block and wage settlement (matching.arrears, matching.wages).
    "matching:arrears_detail": Entry(kwargs=lambda w, s, u: {"employer_pk": w.case(s).employer_id}, get=scoped()),
    "matching:arrears_override": Entry(
        kwargs=lambda w, s, u: {"employer_pk": w.case(s).employer_id},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=("province", "county", "county2")),
        payload=lambda w, s, u: {"reason": "矩阵放行：已签还款计划", "valid_until": today()},
        note="county staff of the employer's county lift the block (the province for any county)",
    ),
    "matching:arrears_revoke": Entry(
        kwargs=lambda w, s, u: {"pk": w.override(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=("province", "county", "county2")),
        payload=lambda w, s, u: {},
    ),
    "matching:wage_list": Entry(get=flat()),
    "matching:wage_record": Entry(
        kwargs=lambda w, s, u: {"pk": w.match(s, "completed").pk},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: {"wage_due": "230", "amount_paid": "230", "paid_on": today(), "method": "cash"},
    ),
    "matching:wage_confirm": Entry(
        kwargs=lambda w, s, u: {"pk": w.settled_match(s).pk},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=WRITERS),
        payload=lambda w, s, u: {},
        note="the worker confirms the recorded wage at the counter",
    ),
    # Reporting.
    "reporting:period_list": Entry(get=flat()),
    "reporting:completeness_history": Entry(get=flat()),
    "reporting:period_detail": Entry(kwargs=lambda w, s, u: {"pk": w.periods()[0].pk}, get=flat(), one_side=True),
    "reporting:period_review": Entry(
        one_side=True, kwargs=lambda w, s, u: {"pk": w.periods()[0].pk}, get=flat(allowed=("county", "county2"))
    ),
    "reporting:period_submit": Entry(
        one_side=True,
        kwargs=lambda w, s, u: {"pk": w.periods()[0].pk},
        get=flat(NOT_ALLOWED),
        post=flat(DONE, allowed=("county", "county2")),
        payload=lambda w, s, u: {},
    ),
    "reporting:submission_list": Entry(get=flat()),
    "reporting:submission_detail": Entry(kwargs=lambda w, s, u: {"pk": w.submission(s).pk}, get=scoped()),
    "reporting:submission_action": Entry(
        kwargs=lambda w, s, u: {"pk": w.submission(s).pk, "action": "forward"},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=("city",)),
        payload=lambda w, s, u: {},
        note="forward: only the county's own 市州",
    ),
    "reporting:export": Entry(query=lambda w, s, u: {"county": w.county(s).code}, get=scoped()),
    "reporting:rule_list": Entry(get=flat(allowed=("province", "auditor"))),
    "reporting:rule_create": Entry(
        get=flat(allowed=("province",)),
        post=flat(DONE, allowed=("province",)),
        payload=rule_payload,
    ),
    "reporting:rule_edit": Entry(
        kwargs=lambda w, s, u: {"pk": w.rule().pk},
        get=public(FORBIDDEN, scoped_object=True) | {"anonymous": (LOGIN, LOGIN), "province": (OK, OK)},
        post=public(FORBIDDEN, scoped_object=True) | {"anonymous": (LOGIN, LOGIN), "province": (DONE, DONE)},
        payload=lambda w, s, u: rule_payload(w, s, u, rule=w.rule()),
        note="rules are province-wide: both sides are the same rule",
    ),
    "reporting:notifications": Entry(get=flat()),
    "reporting:notifications_read": Entry(
        get=flat(NOT_ALLOWED),
        post=flat(DONE),
        payload=lambda w, s, u: {},
        post_changes=False,
    ),
    "reporting:notification_open": Entry(
        kwargs=lambda w, s, u: {"pk": w.notification(s, u).pk},
        get=scoped(DONE, reach=dict.fromkeys(STAFF, (True, False))),
        note="own notification (南明 side) vs somebody else's (遵义 side)",
    ),
    "reporting:monitoring": Entry(query=lambda w, s, u: {"market": w.market(s).pk}, get=scoped()),
    "reporting:monitoring_export": Entry(query=lambda w, s, u: {"market": w.market(s).pk}, get=scoped()),
    "reporting:open_csv": Entry(get=public()),
    "reporting:open_json": Entry(get=public()),
    "reporting:approvals": Entry(
        one_side=True,
        kwargs=lambda w, s, u: {"pk": w.periods()[1].pk},
        get=flat(allowed=("province", "auditor", "city")),
    ),
    "reporting:approval_action": Entry(
        kwargs=lambda w, s, u: {"pk": w.periods()[1].pk, "city": w.county(s).parent.code, "action": "approve"},
        get=POST_ONLY_OBJECT,
        post=scoped(DONE, allowed=("city",)),
        payload=lambda w, s, u: {},
        post_changes=False,
        note="approve: only the 市州's own staff; refused with a message while its counties are not all accepted",
    ),
    "reporting:registry_as_of": Entry(
        query=lambda w, s, u: {"date": today(), "region": w.county(s).code},
        get=scoped(allowed=("province", "auditor", "city", "county", "county2")),
        note="the 名录 as it stood on a date, for a region in scope",
    ),
    "reporting:map": Entry(get=flat(), note="every role sees the counties of its own scope"),
    "reporting:bulletin": Entry(
        kwargs=lambda w, s, u: {"pk": w.periods()[0].pk},
        get=flat(allowed=("province", "auditor")),
        one_side=True,
        note="the 省级通报 is the province's: it ranks every 市州",
    ),
    "reporting:bulletin_export": Entry(
        kwargs=lambda w, s, u: {"pk": w.periods()[0].pk}, get=flat(allowed=("province", "auditor")), one_side=True
    ),
    "reporting:reality": Entry(kwargs=lambda w, s, u: {"pk": w.periods()[0].pk}, get=flat(), one_side=True),
}
