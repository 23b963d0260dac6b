"""Writes to policy packs. Changing the rules moves every due date, so each write recomputes."""

from django.db import transaction
from django.utils import timezone

from careleavers.models import Event, EventKind, Staff, YoungPerson
from careleavers.services import check_can_record, check_record_date
from core.audit import audit_record
from core.errors import ServiceError
from core.models import AuditKind

from .engine import recompute, recompute_young_person
from .models import PolicyPack
from .packs import PackData, load_pack


@transaction.atomic
def pack_activate(*, pack: PolicyPack, actor: Staff | None = None) -> PolicyPack:
    """Make `pack` the service's one active pack and recompute everyone under it."""
    previous = list(PolicyPack.objects.filter(is_active=True).exclude(pk=pack.pk).values_list("key", flat=True))
    PolicyPack.objects.filter(is_active=True).exclude(pk=pack.pk).update(is_active=False)
    if not pack.is_active:
        pack.is_active = True
        pack.save(update_fields=["is_active"])
    audit_record(kind=AuditKind.PACK_ACTIVATED, actor=actor, obj=pack, key=pack.key, previous=previous)
    recompute(timezone.localdate())
    return pack


@transaction.atomic
def pack_changed(*, pack: PolicyPack, actor: Staff | None = None) -> None:
    """After a pack's settings or rows were edited: the active pack's results are recomputed."""
    audit_record(kind=AuditKind.PACK_CHANGED, actor=actor, obj=pack, key=pack.key, is_active=pack.is_active)
    if pack.is_active:
        recompute(timezone.localdate())


@transaction.atomic
def event_record(*, young_person: YoungPerson, actor: Staff, kind: str, date, notes: str = "", today=None) -> Event:
    """A custody start, emergency placement, move or other significant change (T6, T7, P1): it can
    pull a due date forward, so the young person's requirements are recomputed at once."""
    check_can_record(actor=actor, young_person=young_person, permission="careleavers.record_event")
    if kind not in EventKind.values:
        raise ServiceError("Choose what happened.", field="kind")
    check_record_date(young_person=young_person, date=date, today=today, what="event")
    event = Event.objects.create(young_person=young_person, kind=kind, date=date, notes=notes, recorded_by=actor)
    audit_record(kind=AuditKind.EVENT_RECORDED, actor=actor, young_person=young_person, obj=event,
                 event_kind=kind, date=date)
    recompute_young_person(young_person)
    return event


@transaction.atomic
def pack_load(*, data: PackData, actor: Staff | None = None) -> bool:
    """Bring a pack in the database into line with its data file (`manage.py pack_load`); the active
    pack's due dates are recomputed when it changed, and the change is in the audit log."""
    pack, changed = load_pack(data, overwrite=True)
    if changed:
        audit_record(kind=AuditKind.PACK_CHANGED, actor=actor, obj=pack, source="pack_load", version=data.version)
        pack_changed(pack=pack)
    return changed
