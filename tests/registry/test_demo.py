import io

from django.core.management import call_command

from registry.models import Employer, Posting, TrainingOffer, WindowVisit, Worker
from registry.validators import normalize_credit_code, parse_id_number


def test_demo_loads_twice_without_duplicates_and_ids_are_valid(demo_data):
    counts = [m.objects.count() for m in (Worker, Employer, Posting, WindowVisit, TrainingOffer)]
    call_command("load_demo", stdout=io.StringIO())
    assert [m.objects.count() for m in (Worker, Employer, Posting, WindowVisit, TrainingOffer)] == counts
    assert all(counts)
    for worker in Worker.objects.all():
        parse_id_number(worker.full_id_number())
    for code in Employer.objects.exclude(credit_code="").values_list("credit_code", flat=True):
        normalize_credit_code(code)
    counties = set(Worker.objects.values_list("county__code", flat=True))
    assert {"520102", "520103"} <= counties


def test_demo_has_recognitions_and_subsidies_at_each_step(demo_data):
    from registry.models import HardshipRecognition, SubsidyApplication

    assert HardshipRecognition.objects.filter(worker__county__name="南明区").exists()
    statuses = set(SubsidyApplication.objects.filter(county__name="南明区").values_list("status", flat=True))
    assert statuses == {"submitted", "approved", "paid", "returned"}
    counts = (HardshipRecognition.objects.count(), SubsidyApplication.objects.count())
    call_command("load_demo")
    assert (HardshipRecognition.objects.count(), SubsidyApplication.objects.count()) == counts


def test_demo_has_assistance_plans_startup_intents_and_insurance(demo_data):
    from django.utils import timezone

    from registry.assistance import steps_due_for_owner
    from registry.models import AssistancePlan, InsuranceEnrolment

    plans = AssistancePlan.objects.filter(worker__county__name="南明区")
    assert set(plans.values_list("status", flat=True)) == {"open", "closed"}
    owner = plans.filter(status="open").first().owner
    due = {s.state_on(timezone.localdate()) for s in steps_due_for_owner(owner, timezone.localdate())}
    assert due == {"due", "overdue"}
    assert Worker.objects.filter(county__name="南明区").exclude(startup_intent="none").exists()
    assert TrainingOffer.objects.filter(kind="创业培训", end_date__gte=timezone.localdate()).exists()
    insured = Worker.objects.filter(has_injury_insurance=True)
    assert insured.exists() and not insured.filter(insurance_enrolments__isnull=True).exists()
    counts = (AssistancePlan.objects.count(), InsuranceEnrolment.objects.count())
    call_command("load_demo")
    assert (AssistancePlan.objects.count(), InsuranceEnrolment.objects.count()) == counts
