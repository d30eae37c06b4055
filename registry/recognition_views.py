"""Pages of 就业困难人员认定: record one on a worker, end one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gigmarket.core.forms import add_service_error
from gigmarket.core.scoping import get_object_in_scope, require_write

from . import recognition
from .models import HardshipRecognition, Worker
from .recognition_forms import RecognitionEndForm, RecognitionForm


@login_required
@require_POST
def recognition_create(request, pk):
    require_write(request.user)
    worker = get_object_in_scope(Worker.objects.select_related("county", "registered_market"), request.user, pk=pk)
    form = RecognitionForm(request.POST)
    if form.is_valid():
        try:
            recognition.recognition_record(worker=worker, data=form.service_data(), by=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已登记{worker.name}的就业困难人员认定。")
            return redirect("registry:worker_detail", pk=worker.pk)
    return render(request, "registry/recognition_form.html", {"worker": worker, "recognition_form": form}, status=400)


@login_required
@require_POST
def recognition_end(request, pk):
    require_write(request.user)
    item = get_object_in_scope(HardshipRecognition.objects.select_related("worker"), request.user, pk=pk)
    form = RecognitionEndForm(request.POST)
    if form.is_valid():
        try:
            recognition.recognition_end(recognition=item, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "已终止该认定。")
            return redirect("registry:worker_detail", pk=item.worker_id)
    context = {"worker": item.worker, "recognition_end_form": form, "recognition_end_pk": item.pk}
    return render(request, "registry/recognition_form.html", context, status=400)
