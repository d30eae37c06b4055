from django.contrib import admin

from .models import Market, MarketVersion, OpeningPeriod, Trade


@admin.register(Trade)
class TradeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "category", "sort_order", "is_active"]
    list_filter = ["is_active", "category"]
    search_fields = ["code", "name"]


class OpeningPeriodInline(admin.TabularInline):
    model = OpeningPeriod
    extra = 0


@admin.register(Market)
class MarketAdmin(admin.ModelAdmin):
    """Read-mostly: changes go through the portal so history and audit are kept."""

    list_display = ["name", "county", "kind", "status", "updated_at"]
    list_filter = ["status", "kind", "nature"]
    search_fields = ["name", "address"]
    list_select_related = ["county"]
    inlines = [OpeningPeriodInline]

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(MarketVersion)
class MarketVersionAdmin(admin.ModelAdmin):
    list_display = ["market", "number", "action", "actor_name", "created_at"]
    list_select_related = ["market"]

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
