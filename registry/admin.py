"""Read-only admin views: all changes go through the portal's audited services."""

from django.contrib import admin

from gigmarket.core.admin_base import ReadOnlyAdmin

from .models import Employer, PolicyNote, Posting, TrainingOffer, WindowVisit, Worker, WorkerTransfer


@admin.register(Worker)
class WorkerAdmin(ReadOnlyAdmin):
    list_display = ["name", "masked_id_number", "gender", "county", "registered_at"]
    # Ciphertext and keyed hashes are no use to a person; the masked values are on the portal.
    exclude = [
        "id_hash",
        "id_encrypted",
        "name_last4_hash",
        *Worker.mobile.stored_fields,
        *Worker.emergency_phone.stored_fields,
    ]
    list_select_related = ["county"]


@admin.register(Employer)
class EmployerAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "credit_code", "county"]
    exclude = [*Employer.phone.stored_fields]


@admin.register(Posting)
class PostingAdmin(ReadOnlyAdmin):
    list_display = ["employer", "trade", "headcount", "market", "status", "work_date"]


@admin.register(WindowVisit)
class WindowVisitAdmin(ReadOnlyAdmin):
    list_display = ["market", "window", "created_at"]


@admin.register(WorkerTransfer)
class WorkerTransferAdmin(ReadOnlyAdmin):
    list_display = ["worker", "from_county", "to_county", "at"]
    list_select_related = ["worker", "from_county", "to_county"]


admin.site.register(TrainingOffer, ReadOnlyAdmin)
admin.site.register(PolicyNote, ReadOnlyAdmin)
