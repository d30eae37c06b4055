"""Read-only admin views: every change goes through the portal's audited services."""

from django.contrib import admin

from gigmarket.core.admin_base import ReadOnlyAdmin

from .models import Match, MatchEvent, Placement, PlacementFollowUp, RightsCase, RightsCaseNote


@admin.register(Match)
class MatchAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "worker", "employer", "market", "state", "work_date", "agreed_pay"]
    list_filter = ["state"]
    list_select_related = ["worker", "employer", "market", "posting"]
    raw_id_fields = ["posting", "worker", "employer", "market"]
    show_full_result_count = False


@admin.register(MatchEvent)
class MatchEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "match", "from_state", "to_state", "by"]
    list_select_related = ["match", "match__worker", "match__posting", "by"]
    raw_id_fields = ["match"]


@admin.register(RightsCase)
class RightsCaseAdmin(ReadOnlyAdmin):
    list_display = ["received_on", "kind", "worker", "employer", "market", "state", "amount_owed", "amount_recovered"]
    list_filter = ["kind", "state"]
    list_select_related = ["worker", "employer", "market"]
    raw_id_fields = ["worker", "employer", "match", "market"]


@admin.register(RightsCaseNote)
class RightsCaseNoteAdmin(ReadOnlyAdmin):
    list_display = ["on", "case", "by"]
    list_select_related = ["case", "case__worker", "by"]


@admin.register(Placement)
class PlacementAdmin(ReadOnlyAdmin):
    list_display = ["worker", "county", "post", "unit", "start_date", "status", "next_follow_up"]
    list_select_related = ["worker", "county"]
    raw_id_fields = ["worker"]


@admin.register(PlacementFollowUp)
class PlacementFollowUpAdmin(ReadOnlyAdmin):
    list_display = ["on", "placement", "by"]
    list_select_related = ["placement", "placement__worker", "by"]
