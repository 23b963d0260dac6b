"""Writing to the audit log. Call it inside the service's transaction, so the event and the change
it records commit together or not at all."""

from typing import Any

from .models import AuditEvent, AuditKind


def audit_record(*, kind: AuditKind | str, actor=None, young_person=None, obj=None, **data: Any) -> AuditEvent:
    """One audit event: `obj` is the record changed (its type and id are kept); `data` what changed."""
    if kind not in AuditKind.values:
        raise ValueError(f"Unknown audit kind {kind!r}: add it to core.models.AuditKind")
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        young_person=young_person,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        data=data,
    )
