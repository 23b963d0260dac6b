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


def audit_view(*, actor, page: str, young_person=None, young_people=None, young_person_id: int | None = None,
               **data: Any) -> None:
    """Issue 14, item 7: who saw which young person's record, when, and on what page or download.

    One INSERT per view: a record's page logs its young person; an export or download that
    includes several young people logs one row per young person in a single bulk insert (so the
    log reads by young person), and nothing when it includes none."""
    if young_person is not None:
        AuditEvent.objects.create(
            kind=AuditKind.RECORD_VIEWED, actor=actor, young_person=young_person,
            object_type=young_person._meta.label_lower, object_id=str(young_person.pk), data={"page": page, **data},
        )
        return
    ids = sorted(set(young_people or ()) | ({young_person_id} if young_person_id is not None else set()))
    if ids:
        AuditEvent.objects.bulk_create([
            AuditEvent(kind=AuditKind.RECORD_VIEWED, actor=actor, young_person_id=pk, object_type="careleavers.youngperson",
                       object_id=str(pk), data={"page": page, **data})
            for pk in ids
        ])


def audit_admin_entry(entry) -> AuditEvent:
    """Issue 14, item 3: every change made in the admin (a django.contrib.admin LogEntry) in the audit log."""
    user = entry.user
    content_type = entry.content_type
    return AuditEvent.objects.create(
        kind=AuditKind.ADMIN_CHANGE,
        actor=getattr(user, "staff", None),
        object_type=f"{content_type.app_label}.{content_type.model}" if content_type else "",
        object_id=str(entry.object_id or "")[:64],
        data={
            "action": {1: "added", 2: "changed", 3: "deleted"}.get(entry.action_flag, str(entry.action_flag)),
            "user": user.get_username(), "object": entry.object_repr, "message": entry.get_change_message(),
        },
    )
