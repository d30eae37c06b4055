"""分级服务 (notice 七): the hardship-tier rule, in Python and its SQL mirror.

`compute_tier` is the one rule; `tier_expression` says the same in SQL for the stored
`Worker.priority_tier` (the nightly refresh, a confirmed match), and `senior_condition` /
`long_wait_condition` are the SQL flags lists and exports annotate
(`registry.selectors.annotate_hardship_flags`). `tests/registry/test_tiers.py` checks the
two agree on every combination.

大龄 by birth year: a worker counts as 大龄 from 1 January of the year in which they
reach `SENIOR_AGE_MALE` / `SENIOR_AGE_FEMALE` (`senior_birth_year`), and `Worker.age`
is the age they reach this year. Without the birth date the rule cannot be exact to
the day; a hardship flag that starts up to a year early favours the worker.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact, GreaterThanOrEqual, LessThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Gender


class Tier(models.IntegerChoices):
    """分级服务 (notice 七). Lower value = higher priority; order querysets by it ascending."""

    FIRST = 1, _("一级重点帮扶")
    SECOND = 2, _("二级优先帮扶")
    NORMAL = 3, _("普通")


def compute_tier(*, employment_difficulty, disabled, low_income, senior, long_wait):
    """The one rule for tiers; `tier_expression` mirrors it in SQL for the stored column.

    一级: 就业困难人员 or 残疾, or any two or more hardship flags.
    二级: exactly one of 低收入家庭, 大龄, 待工时间长.
    普通: none.
    """
    count = sum(bool(f) for f in (employment_difficulty, disabled, low_income, senior, long_wait))
    if employment_difficulty or disabled or count >= 2:
        return Tier.FIRST
    if count == 1:
        return Tier.SECOND
    return Tier.NORMAL


def senior_birth_year(gender, today):
    """Workers of `gender` born in this year or earlier count as 大龄 on `today`.

    Only the birth year is stored, so a worker is 大龄 from 1 January of the year in
    which they reach the age (see the module docstring).
    """
    years = settings.SENIOR_AGE_MALE if gender == Gender.MALE else settings.SENIOR_AGE_FEMALE
    return today.year - years


def long_wait_cutoff(today):
    """Waiting since before this instant (local midnight) counts as 待工时间长 on `today`."""
    start = today - datetime.timedelta(days=settings.LONG_WAIT_DAYS - 1)
    return timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))


def age_in_year(birth_year, today):
    """The age a worker born in `birth_year` reaches in `today`'s year."""
    return today.year - birth_year


# The SQL mirror ------------------------------------------------------------------------


def flag(condition):
    """SQL: 1 when `condition` holds, else 0."""
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def senior_condition(today):
    """SQL: the worker is 大龄 on `today` (mirrors `Worker.is_senior`)."""
    return Q(gender=Gender.MALE, birth_year__lte=senior_birth_year(Gender.MALE, today)) | Q(
        gender=Gender.FEMALE, birth_year__lte=senior_birth_year(Gender.FEMALE, today)
    )


def long_wait_condition(today, waiting_since=None):
    """SQL: the worker is 待工时间长 on `today`; `waiting_since` defaults to the stored column."""
    return LessThan(waiting_since or F("waiting_since"), long_wait_cutoff(today))


def waiting_since_expression():
    """SQL: what `Worker.waiting_since` must hold."""
    return Coalesce(F("last_confirmed_match_at"), F("registered_at"))


def tier_expression(today, waiting_since=None):
    """SQL for `compute_tier` on `today`, from the flags, birth year, gender and waiting time.

    `waiting_since` (an expression) replaces the stored column, for an UPDATE that sets
    both at once.
    """
    others = flag(Q(low_income=True)) + flag(senior_condition(today)) + flag(long_wait_condition(today, waiting_since))
    return Case(
        When(Q(employment_difficulty=True) | Q(disabled=True), then=Value(Tier.FIRST)),
        When(GreaterThanOrEqual(others, 2), then=Value(Tier.FIRST)),
        When(Exact(others, 1), then=Value(Tier.SECOND)),
        default=Value(Tier.NORMAL),
        output_field=models.PositiveSmallIntegerField(),
    )
