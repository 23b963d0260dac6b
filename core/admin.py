"""Admin pieces every app uses, and the audit log (read-only)."""

from django.contrib import admin

from .audit import audit_admin_entry
from .models import AuditEvent


class NoDeleteMixin:
    """Records a court might ask for are never deleted, not even from the admin."""

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyMixin:
    """The admin reads; services write (issue 14, item 3): case records, decisions, case notes, plans,
    arrangements and their states are never added, changed or deleted here, so no one can add a
    decision or a note in someone else's name, nor move a state past its service's checks."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """A record the admin may read but never add, change or delete (the audit log)."""


class AuditedDeletionsMixin:
    """A bulk deletion in the admin writes its LogEntry rows with bulk_create, which sends no post_save:
    copy them into the audit log here (a single entry is saved, and core.signals copies it)."""

    def log_deletions(self, request, queryset):
        entries = super().log_deletions(request, queryset)  # type: ignore[misc]
        if len(entries) > 1:
            for entry in entries:
                audit_admin_entry(entry)
        return entries


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "kind", "actor", "young_person", "object_type", "object_id")
    list_filter = ("kind",)
    search_fields = ("young_person__ref", "object_id")
    date_hierarchy = "at"
    list_select_related = ("actor", "young_person")
