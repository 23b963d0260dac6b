"""Audit hooks: every admin change (a LogEntry) is copied into the audit log (issue 14, item 3)."""

from django.contrib.admin.models import LogEntry
from django.db.models.signals import post_save
from django.dispatch import receiver

from .audit import audit_admin_entry


@receiver(post_save, sender=LogEntry, dispatch_uid="core.audit_admin_change")
def admin_change_audited(sender, instance: LogEntry, **kwargs) -> None:
    if kwargs.get("created") and not kwargs.get("raw"):
        audit_admin_entry(instance)
