"""Read-only admin views: markets and trades change through the portal, which keeps their history and audit."""

from django.contrib import admin

from gigmarket.core.admin_base import ReadOnlyAdmin, ReadOnlyAdminMixin

from .models import Market, MarketVersion, OpeningPeriod, Rectification, RectificationEvidence, Trade


@admin.register(Trade)
class TradeAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "category", "sort_order", "is_active"]
    list_filter = ["is_active", "category"]
    search_fields = ["code", "name"]


class OpeningPeriodInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OpeningPeriod
    extra = 0


@admin.register(Market)
class MarketAdmin(ReadOnlyAdmin):
    list_display = ["name", "county", "kind", "status", "updated_at"]
    list_filter = ["status", "kind", "nature"]
    search_fields = ["name", "address"]
    list_select_related = ["county"]
    inlines = [OpeningPeriodInline]


@admin.register(MarketVersion)
class MarketVersionAdmin(ReadOnlyAdmin):
    list_display = ["market", "number", "action", "actor_name", "created_at"]
    list_select_related = ["market"]


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    list_display = ["market", "item", "deadline", "status", "opened_at", "closed_at"]
    list_filter = ["status", "item", "close_reason"]
    list_select_related = ["market"]
    exclude = [*Rectification.responsible_phone.stored_fields]


@admin.register(RectificationEvidence)
class RectificationEvidenceAdmin(ReadOnlyAdmin):
    list_display = ["rectification", "caption", "kind", "size", "uploaded_at"]
    list_select_related = ["rectification__market"]
