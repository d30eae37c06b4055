"""The 欠薪 flag (八): employers with an open 欠薪 case, counted or annotated on any list.

The monitoring pages of other apps may reuse `employers_with_open_wage_cases` and
`open_wage_case_counts`.
"""

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from .models import RightsCase


def _open_wage_cases():
    return RightsCase.objects.filter(kind=RightsCase.Kind.WAGES, state__in=RightsCase.OPEN_STATES)


def employers_with_open_wage_cases():
    """Ids of employers with an open 欠薪 case anywhere in the province (a queryset, usable in `__in`)."""
    return _open_wage_cases().values("employer_id").distinct()


def open_wage_case_counts(employer_ids):
    """{employer_id: number of open 欠薪 cases} for the given employers (one query)."""
    rows = (
        _open_wage_cases()
        .filter(employer_id__in=list(employer_ids))
        .values("employer_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["employer_id"]: row["n"] for row in rows}


def annotate_wage_flag(qs, employer_path="employer"):
    """Annotate `open_wage_cases` (count of the employer's open 欠薪 cases) on any queryset."""
    sub = (
        _open_wage_cases()
        .filter(employer_id=OuterRef(f"{employer_path}_id" if employer_path != "pk" else "pk"))
        .order_by()
        .values("employer_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return qs.annotate(open_wage_cases=Coalesce(Subquery(sub, output_field=IntegerField()), Value(0)))
