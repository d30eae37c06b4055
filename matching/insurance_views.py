"""The match page's accident insurance: record the policy bought for this match."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gigmarket.core.forms import add_service_error, form_data
from registry.insurance_forms import EnrolmentForm

from . import insurance
from .access import get_rw_match_for_user
from .match_page import match_detail_context


@login_required
@require_POST
def match_insurance(request, pk):
    match = get_rw_match_for_user(request.user, pk)
    form = EnrolmentForm(form_data(request))
    if form.is_valid():
        try:
            insurance.match_insurance_record(match=match, data=form.service_data(), by=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "已登记本次用工的意外伤害保险。")
            return redirect("matching:match_detail", pk=match.pk)
    context = match_detail_context(request, match)
    context.update(insurance_form=form)
    return render(request, "matching/match_detail.html", context, status=400)
