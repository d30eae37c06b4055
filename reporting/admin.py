"""Read-only admin views: periods, rules and submissions change through the portal's audited services."""

from django.contrib import admin

from gigmarket.core.admin_base import ReadOnlyAdmin

from .models import CityDigest, DailyStat, Notification, ReminderDispatch, ReportingPeriod, ReportingRule, Submission


@admin.register(ReportingRule)
class ReportingRuleAdmin(ReadOnlyAdmin):
    list_display = ["name", "cadence", "effective_from", "effective_until", "due_offset_days", "is_active"]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(ReadOnlyAdmin):
    list_display = ["name", "start", "end", "due_date"]


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["period", "county", "status", "first_submitted_at", "version"]
    list_filter = ["status", "period"]
    readonly_fields = ["rows"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "kind", "title", "created_at", "read_at", "email_status"]


@admin.register(ReminderDispatch)
class ReminderDispatchAdmin(ReadOnlyAdmin):
    list_display = ["period", "county", "kind", "created_at", "notification_count"]


@admin.register(DailyStat)
class DailyStatAdmin(ReadOnlyAdmin):
    list_display = ["date", "county", "market", "trade", "metric", "dimension", "value"]
    list_filter = ["metric"]


@admin.register(CityDigest)
class CityDigestAdmin(ReadOnlyAdmin):
    list_display = ["city", "iso_year", "iso_week", "created_at", "sent_at", "recipient_count"]
    list_filter = ["iso_year"]
