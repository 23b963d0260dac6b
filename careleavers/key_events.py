"""Key events of the chronology (issue 12, item 6): a PA on the case (or the team's Team Leader) marks a
significant entry; unmarking keeps the row. An entry is named by its timeline source's kind and record id; the
page checks that the entry is on this young person's chronology before calling these."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import audit_record
from core.errors import InvalidState, NotAllowed
from core.models import AuditKind
from core.rules import refusal

from .models import KeyEvent, Staff, YoungPerson


def key_events_of(young_person: YoungPerson) -> dict[tuple[str, int], KeyEvent]:
    """The young person's marked entries, by (kind, record id): one query."""
    rows = KeyEvent.objects.filter(young_person=young_person, cleared_at__isnull=True).select_related("marked_by")
    return {(k.source, k.object_id): k for k in rows}


@transaction.atomic
def key_event_mark(*, young_person: YoungPerson, actor: Staff, source: str, object_id: int) -> KeyEvent:
    reason = refusal("careleavers.mark_key_event", actor.user, young_person)
    if reason is not None:
        raise NotAllowed(reason)
    try:
        with transaction.atomic():
            key = KeyEvent.objects.create(young_person=young_person, source=source, object_id=object_id, marked_by=actor)
    except IntegrityError as exc:
        raise InvalidState("That entry is already a key event.") from exc
    audit_record(kind=AuditKind.KEY_EVENT_MARKED, actor=actor, young_person=young_person, obj=key,
                 source=source, object_id=object_id)
    return key


@transaction.atomic
def key_event_clear(*, young_person: YoungPerson, actor: Staff, source: str, object_id: int) -> KeyEvent:
    reason = refusal("careleavers.mark_key_event", actor.user, young_person)
    if reason is not None:
        raise NotAllowed(reason)
    key = (KeyEvent.objects.select_for_update()
           .filter(young_person=young_person, source=source, object_id=object_id, cleared_at__isnull=True).first())
    if key is None:
        raise InvalidState("That entry is not a key event.")
    key.cleared_by, key.cleared_at = actor, timezone.now()
    key.save()  # audited model: save, never update()
    audit_record(kind=AuditKind.KEY_EVENT_CLEARED, actor=actor, young_person=young_person, obj=key,
                 source=source, object_id=object_id)
    return key
