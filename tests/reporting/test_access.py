from django.utils import timezone

from reporting import access
from reporting.models import Submission
from reporting.selectors import periods_for_listing
from tests.access_checks import check_access_pair


def test_submission_helpers_give_404_out_of_scope_and_403_to_read_only_writes(
    nanming, county_user, county2_user, auditor
):
    submission = Submission.objects.create(
        period=periods_for_listing().first(),
        county=nanming,
        status=Submission.Status.SUBMITTED,
        first_submitted_at=timezone.now(),
        submitted_at=timezone.now(),
        submitted_by=county_user,
    )
    check_access_pair(
        access.get_submission_for_user,
        access.get_rw_submission_for_user,
        submission,
        owner=county_user,
        outsider=county2_user,
        auditor=auditor,
    )
