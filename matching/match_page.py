"""What the match page (`matching/match_detail.html`) shows.

Three views render it: the match itself (`views`), and the wage and insurance forms
(`wage_views`, `insurance_views`) when they show it again with a refused form. Each builds
its context here, so none of those view modules imports another."""

from registry.insurance_forms import EnrolmentForm

from . import settlement as wage_settlement
from .forms import TermsForm
from .insurance import covering_enrolments
from .models import MatchState, WageSettlement
from .wage_forms import WageSettlementForm


def settlement_of(match):
    """The match's wage settlement, or None before one is recorded."""
    try:
        return match.wage_settlement
    except WageSettlement.DoesNotExist:
        return None


def wage_panel_context(match):
    """What the match page shows of the wage: the settlement, its form, the employer's record."""
    settlement = settlement_of(match)
    context = {"settlement": settlement, "wage_due_date": None, "pay_record": None}
    if match.state == MatchState.COMPLETED:
        initial = {"wage_due": wage_settlement.default_wage_due(match), "amount_paid": 0}
        if settlement is not None:
            initial = {
                "wage_due": settlement.wage_due,
                "amount_paid": settlement.amount_paid,
                "paid_on": settlement.paid_on,
                "method": settlement.method,
                "note": settlement.note,
            }
        context["wage_form"] = WageSettlementForm(initial=initial)
        context["wage_due_date"] = wage_settlement.due_date(match)
    context["pay_record"] = wage_settlement.employer_pay_records([match.employer_id]).get(match.employer_id)
    return context


def match_detail_context(request, match, *, terms_form=None):
    """The match page's context; `terms_form` is a refused terms form to show again."""
    return {
        "match": match,
        "events": match.events.select_related("by"),
        "terms_form": terms_form or TermsForm(initial={"agreed_pay": match.agreed_pay, "note": match.note}),
        "cases": match.rights_cases.all(),
        "can_write": request.user.can_write,
        "insurance_covering": list(covering_enrolments(match)),
        "insurance_form": EnrolmentForm(initial={"starts_on": match.work_date, "ends_on": match.work_date_end}),
        **wage_panel_context(match),
    }
