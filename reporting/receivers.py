"""Reporting's reactions to changes in the core (see gigmarket/core/signals.py)."""

from gigmarket.core.models import Division
from gigmarket.core.signals import division_activated

from .approval import approvals_recheck_for_county


def county_activated(sender, *, division, by, **kwargs):
    if division.is_county:
        approvals_recheck_for_county(county=division, by=by)


def connect():
    """Called from ReportingConfig.ready()."""
    division_activated.connect(county_activated, sender=Division, dispatch_uid="reporting_county_activated")
