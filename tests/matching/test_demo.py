from django.core.management import call_command

from matching.models import Match, MatchState, Placement, RightsCase


def test_demo_has_every_state_cases_and_placements_in_nanming_and_yunyan(demo_data):
    counts = (Match.objects.count(), RightsCase.objects.count(), Placement.objects.count())
    for county in ("南明区", "云岩区"):
        states = set(Match.objects.filter(market__county__name=county).values_list("state", flat=True))
        assert states == set(MatchState.values), county
        kinds = set(RightsCase.objects.filter(market__county__name=county).values_list("kind", flat=True))
        assert RightsCase.Kind.WAGES in kinds
        assert Placement.objects.filter(county__name=county, follow_ups__isnull=False).exists()
    call_command("load_demo")
    assert (Match.objects.count(), RightsCase.objects.count(), Placement.objects.count()) == counts


def test_demo_has_settled_wages_an_automatic_wage_case_and_an_override(demo_data):
    from matching.arrears import arrears_block
    from matching.models import ArrearsOverride, WageSettlement

    confirmed = WageSettlement.objects.filter(worker_confirmed_at__isnull=False)
    assert confirmed.filter(arrears_case__isnull=True).exists()
    assert confirmed.filter(arrears_case__isnull=False, match__market__county__name="南明区").exists()
    override = ArrearsOverride.objects.get(employer__county__name="南明区")
    assert not arrears_block(override.employer_id).blocked
    counts = (WageSettlement.objects.count(), ArrearsOverride.objects.count(), RightsCase.objects.count())
    call_command("load_demo")
    assert (WageSettlement.objects.count(), ArrearsOverride.objects.count(), RightsCase.objects.count()) == counts


def test_demo_has_a_match_with_its_own_accident_insurance(demo_data):
    from matching.models import Match

    match = (
        Match.objects.filter(insurance__isnull=False, market__county__name="南明区").select_related("insurance").first()
    )
    assert match is not None and match.insurance.for_match
    assert match.insurance.starts_on <= match.work_date and match.insurance.ends_on >= match.work_date_end
