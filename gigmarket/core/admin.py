"""Django admin for superusers: divisions and accounts audited, the audit log read-only.

Staff use the portal; the admin is a superuser's tool. Every add or change made here
writes a business audit row in the same transaction (through the admin's own log
hooks), and audit rows can only be viewed.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .admin_base import ReadOnlyAdminMixin
from .audit import audit_record
from .forms import AdminLoginForm
from .models import AuditEvent, Division, User

admin.site.site_header = "贵州省零工市场管理平台 · 系统管理"
admin.site.site_title = "系统管理"
admin.site.index_title = "系统管理"
# The admin login refuses an over-long username in Chinese, as the portal's does.
admin.site.login_form = AdminLoginForm


def _changed_fields(message):
    """Field names from the admin's JSON change message (names only, never values)."""
    fields = []
    for part in message or []:
        if isinstance(part, dict):
            for detail in part.values():
                fields.extend(detail.get("fields", []) if isinstance(detail, dict) else [])
    return fields


class AuditedAdminMixin:
    """Mirror the admin's LogEntry writes into the business audit log."""

    def audit_county(self, obj):
        return None

    def log_addition(self, request, obj, message):
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.CREATE,
            target=obj,
            county=self.audit_county(obj),
            changes={"via": "admin"},
        )
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.UPDATE,
            target=obj,
            county=self.audit_county(obj),
            changes={"via": "admin", "fields": _changed_fields(message) or [str(message)[:200]]},
        )
        return super().log_change(request, obj, message)


class SuperuserOnlyMixin:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(Division)
class DivisionAdmin(SuperuserOnlyMixin, AuditedAdminMixin, admin.ModelAdmin):
    """Divisions change by GB/T 2260 updates: rename or mark inactive, never delete."""

    list_display = ["code", "name", "short_name", "level", "parent", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name", "short_name"]
    list_select_related = ["parent"]
    ordering = ["code"]

    def audit_county(self, obj):
        return obj

    def get_readonly_fields(self, request, obj=None):
        return ["code", "level", "parent"] if obj is not None else []

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(SuperuserOnlyMixin, AuditedAdminMixin, DjangoUserAdmin):
    """Accounts with their scope. Deactivate instead of deleting (audit keeps the name)."""

    list_display = ["username", "full_name", "role", "division", "market", "is_active", "is_superuser", "last_login"]
    list_filter = ["role", "is_active", "is_superuser", "division__level"]
    search_fields = ["username", "full_name"]
    list_select_related = ["division", "market"]
    raw_id_fields = ["market"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("个人信息"), {"fields": ["full_name", "phone", "email"]}),
        (_("角色与范围"), {"fields": ["role", "division", "market"]}),
        (_("权限"), {"fields": ["is_active", "is_staff", "is_superuser", "must_change_password"]}),
        (_("重要日期"), {"fields": ["last_login", "date_joined", "password_changed_at"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "password1", "password2"]}),
        (_("角色与范围"), {"fields": ["full_name", "role", "division", "market"]}),
    ]
    readonly_fields = ["last_login", "date_joined", "password_changed_at"]

    def audit_county(self, obj):
        return obj.division

    def save_model(self, request, obj, form, change):
        if not change:
            obj.must_change_password = True  # the person chooses their own password at first login
        super().save_model(request, obj, form, change)

    def log_change(self, request, obj, message):
        # "Change password" for someone else: like a manager's reset in the portal, the
        # person must choose their own password at the next login.
        if "password" in _changed_fields(message) and obj.pk != request.user.pk and not obj.must_change_password:
            obj.must_change_password = True
            obj.save(update_fields=["must_change_password"])
        return super().log_change(request, obj, message)

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(SuperuserOnlyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit log: viewable by superusers, never added, changed or deleted here."""

    list_display = ["created_at", "actor_username", "action", "target_type", "target_repr", "county", "ip_address"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_username", "target_repr", "target_id"]
    date_hierarchy = "created_at"
    list_select_related = ["county"]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in AuditEvent._meta.fields]
