"""Admin classes the apps share.

The Django admin is a superuser's window on the data, not a way around the portal: a
change made there would skip the services' validation, history and audit. Every product
model's admin is read-only (`ReadOnlyAdmin`); `tests/core/test_admin_read_only.py` holds
every registered admin to it, the few editable ones listed there with their reason.
"""

from django.contrib import admin


class ReadOnlyAdminMixin:
    """No add, change or delete from the admin: the list and the detail are for looking."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass
