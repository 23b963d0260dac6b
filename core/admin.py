"""Admin pieces every app uses, and the audit log (read-only)."""

from django.contrib import admin

from .models import AuditEvent


class NoDeleteMixin:
    """Records a court might ask for are never deleted, not even from the admin."""

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record the admin may read but never add, change or delete (the audit log)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "kind", "actor", "young_person", "object_type", "object_id")
    list_filter = ("kind",)
    search_fields = ("young_person__ref", "object_id")
    date_hierarchy = "at"
    list_select_related = ("actor", "young_person")
