"""Page of 意外伤害保险 enrolments: record one on a worker (the worker page lists them)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gigmarket.core.forms import add_service_error, form_data
from gigmarket.core.scoping import get_object_in_scope, require_write

from . import insurance
from .insurance_forms import EnrolmentForm
from .models import Worker


@login_required
@require_POST
def insurance_create(request, pk):
    require_write(request.user)
    worker = get_object_in_scope(Worker.objects.select_related("county"), request.user, pk=pk)
    form = EnrolmentForm(form_data(request))
    if form.is_valid():
        try:
            insurance.enrolment_record(worker=worker, data=form.service_data(), by=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已登记{worker.name}的意外伤害保险参保记录。")
            return redirect("registry:worker_detail", pk=worker.pk)
    return render(request, "registry/insurance_form.html", {"worker": worker, "insurance_form": form}, status=400)
