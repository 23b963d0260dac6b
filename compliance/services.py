"""Writes to policy packs. Changing the rules moves every due date, so each write recomputes."""

import datetime as dt

import rules
from django.db import transaction
from django.utils import timezone

from careleavers.codes import ACCOMMODATION_TYPES, ALWAYS_UNSUITABLE, STAYING_PUT
from careleavers.models import (
    ACCOMMODATION_KIND,
    AccommodationPeriod,
    CaseNoteKind,
    Circumstance,
    Event,
    EventKind,
    IntervalOverride,
    LegalStatus,
    LegalStatusChange,
    Staff,
    YoungPerson,
)
from careleavers.services import address_record, case_note_add, check_period_dates, check_record_date, period_to_close
from core.audit import audit_record
from core.dates import british
from core.errors import InvalidState, NotAllowed, ServiceError
from core.models import AuditKind
from core.transitions import lock, require

from .engine import recompute, recompute_young_person
from .models import PolicyPack, RequirementCode
from .packs import PATHWAY_REVIEW_DAYS, PackData, active_pack, load_pack
from .selectors import pack_intervals_for


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
    require("careleavers.record_event", user=actor.user, obj=young_person)
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


# --- T4 / reg 7: a visit interval agreed by a manager --------------------------------------------


def _requirement_label(requirement: str) -> str:
    return RequirementCode(requirement).label.lower() if requirement in RequirementCode.values else requirement


@transaction.atomic
def interval_override_set(*, young_person: YoungPerson, requirement: str, interval_days: int, reason: str,
                          actor: Staff, today=None) -> IntervalOverride:
    """T4 (agreed in supervision), V1 (more often as needs require): a Team Leader of the young person's
    team or a Service Leader sets the interval of one requirement for this young person. Longer than the
    active pack's interval only with the reason agreed, never as a bare number; the pathway plan review
    never past 182 days (reg 7). Who agreed it is recorded; the requirements are recomputed at once."""
    today = today or timezone.localdate()
    young_person = lock(young_person, "pa__team")
    require("compliance.set_interval_override", user=actor.user, obj=young_person)
    reason = (reason or "").strip()
    if requirement not in RequirementCode.values:
        raise ServiceError("Choose the requirement whose interval was agreed.", field="requirement")
    if not isinstance(interval_days, int) or interval_days < 1:
        raise ServiceError("The interval is a whole number of days, at least 1.", field="interval_days")
    if requirement == RequirementCode.PATHWAY_REVIEW and interval_days > PATHWAY_REVIEW_DAYS:
        raise ServiceError(f"A pathway plan is reviewed at least every six months: no more than {PATHWAY_REVIEW_DAYS} "
                           "days (reg 7).", field="interval_days")
    pack_days = pack_intervals_for(young_person, on=today).get(requirement)
    if pack_days is None:
        raise ServiceError(f"No {_requirement_label(requirement)} interval applies to {young_person.name} "
                           "under their current contact pattern.", field="requirement")
    if interval_days > pack_days and not reason:
        raise ServiceError(f"{interval_days} days is longer than the policy's {pack_days}: record the reason agreed in "
                           "supervision (T4).", field="reason")
    override = IntervalOverride.objects.select_for_update().filter(young_person=young_person,
                                                                   requirement=requirement).first()
    previous = override.interval_days if override else None
    if override is None:
        override = IntervalOverride(young_person=young_person, requirement=requirement)
    override.interval_days = interval_days
    override.reason = reason
    override.agreed_by = actor
    override.save()
    case_note_add(young_person=young_person, author=actor, kind=CaseNoteKind.OVERSIGHT,
                  subject=f"Interval agreed: {_requirement_label(requirement)} every {interval_days} days (T4)",
                  text=f"Agreed by {actor.name}. The policy's interval is {pack_days} days."
                       + (f"\nReason: {reason}" if reason else ""))
    audit_record(kind=AuditKind.INTERVAL_OVERRIDE_SET, actor=actor, young_person=young_person, obj=override,
                 requirement=requirement, interval_days=interval_days, previous=previous, pack_days=pack_days,
                 reason=reason)
    recompute_young_person(young_person, as_of=today)
    return override


@transaction.atomic
def interval_override_clear(*, young_person: YoungPerson, requirement: str, reason: str, actor: Staff,
                            today=None) -> None:
    """The agreed interval no longer applies: the pack's interval returns from today (recomputed at once).
    The override's versions stay in its history and the audit log."""
    today = today or timezone.localdate()
    young_person = lock(young_person, "pa__team")
    require("compliance.set_interval_override", user=actor.user, obj=young_person)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Say why the agreed interval no longer applies.", field="reason")
    override = IntervalOverride.objects.select_for_update().filter(young_person=young_person,
                                                                   requirement=requirement).first()
    if override is None:
        raise InvalidState(f"No agreed {_requirement_label(requirement)} interval is recorded for {young_person.name}.")
    audit_record(kind=AuditKind.INTERVAL_OVERRIDE_CLEARED, actor=actor, young_person=young_person, obj=override,
                 requirement=requirement, interval_days=override.interval_days, reason=reason)
    override.delete()
    case_note_add(young_person=young_person, author=actor, kind=CaseNoteKind.OVERSIGHT,
                  subject=f"Agreed interval cleared: {_requirement_label(requirement)}",
                  text=f"Cleared by {actor.name}: {reason}\nThe policy's interval applies again.")
    recompute_young_person(young_person, as_of=today)


# --- T8: legal status changes ----------------------------------------------------------------------


def _status_on(changes: list[LegalStatusChange], day: dt.date) -> str | None:
    """The status in force on `day`: the newest change on or before it (the engine's rule)."""
    return next((c.status for c in sorted(changes, key=lambda c: c.from_date, reverse=True) if c.from_date <= day), None)


@transaction.atomic
def legal_status_change(*, young_person: YoungPerson, status: str, from_date: dt.date, reason: str, actor: Staff,
                        pa_service: bool | None = None, today: dt.date | None = None) -> LegalStatusChange:
    """T8: the Team Leader records the legal status in force from a date (eligible -> relevant -> former
    relevant; qualifying, with or without a PA service), with the reason. The first change also records the
    status before it, so a report as of an earlier date still reads the old one. The status in force today
    becomes the record's, and the requirements are recomputed in the same transaction."""
    today = today or timezone.localdate()
    if actor is None or not rules.has_perm("careleavers.change_legal_status", actor.user, young_person):
        raise NotAllowed("Only the young person's Team Leader changes their legal status.")
    young_person = lock(young_person, "pa")
    if status not in LegalStatus.values:
        raise ServiceError("Choose the legal status.", field="status")
    reason = reason.strip()
    if not reason:
        raise ServiceError("Say why the legal status changed.", field="reason")
    if from_date > today:
        raise ServiceError(f"The date cannot be in the future (today is {british(today)}).", field="from_date")
    if from_date < young_person.birthday_16:
        raise ServiceError(f"{british(from_date)} is before {young_person.name}'s 16th birthday. Check the date.",
                           field="from_date")
    changes = list(LegalStatusChange.objects.filter(young_person=young_person))
    if any(c.from_date == from_date for c in changes):
        raise ServiceError(f"A legal status is already recorded from {british(from_date)}.", field="from_date")
    before = _status_on(changes, from_date) or young_person.legal_status
    pa_service = status != LegalStatus.QUALIFYING or (young_person.pa_service if pa_service is None else pa_service)
    if before == status and pa_service == young_person.pa_service:
        raise ServiceError(f"{young_person.name} is already {LegalStatus(status).label.lower()} on {british(from_date)}.",
                           field="status")
    start = min(young_person.birthday_16, young_person.allocated_on)
    if not changes and from_date > start and before != status:
        changes.append(LegalStatusChange.objects.create(
            young_person=young_person, status=before, from_date=start, recorded_by=actor,
            reason="The legal status before the first recorded change."))
    change = LegalStatusChange.objects.create(young_person=young_person, status=status, from_date=from_date,
                                              reason=reason, recorded_by=actor)
    changes.append(change)
    previous = (young_person.legal_status, young_person.pa_service)
    young_person.legal_status = _status_on(changes, today) or status
    young_person.pa_service = pa_service
    young_person.save()  # versioned record: save, never update()
    service = "" if status != LegalStatus.QUALIFYING else (" with a PA service" if pa_service else " without a PA service (T9)")
    case_note_add(young_person=young_person, author=actor, kind=CaseNoteKind.GENERAL,
                  subject=f"Legal status: {LegalStatus(status).label} from {british(from_date)}{service}", text=reason)
    audit_record(kind=AuditKind.LEGAL_STATUS_CHANGED, actor=actor, young_person=young_person, obj=change,
                 status_from=previous[0], status_to=status, from_date=from_date, pa_service_from=previous[1],
                 pa_service=pa_service)
    recompute_young_person(young_person)
    return change


# --- issue 11 (item 3): a move of accommodation (reg 9, Schedule 2; T6, T7, P1, reg 8(2)) -----------------------


def accommodation_move_effects(*, moves: dict, code: str, previous_code: str | None, circumstance: str,
                               council_provided: bool, first_provided: bool) -> tuple[str | None, str]:
    """What the pack says a move into `code` brings: (the event it is, or None; the circumstance after it).
    A listed type raises its event and sets its circumstance (a B&B is emergency accommodation, T7); moving
    out of a listed type whose circumstance still holds returns it to the pack's leaving circumstance; the
    council's first accommodation is reg 8(2)'s event; any other move the pack's move event (P1)."""
    types = {row["code"]: row for row in moves.get("types", [])}
    row, before = types.get(code), types.get(previous_code or "")
    if row is not None:
        return row["event"], row["circumstance"]
    after = moves.get("leaving_circumstance", circumstance) if before and before["circumstance"] == circumstance \
        else circumstance
    if council_provided and first_provided:
        return moves.get("first_provided_event"), after
    if previous_code is not None:
        return moves.get("move_event"), after
    return None, after


@transaction.atomic
def accommodation_record(*, young_person: YoungPerson, actor: Staff, code: str, start: dt.date,
                         end: dt.date | None = None, address: str = "", provider: str = "",
                         council_provided: bool = False, staying_put: bool = False, suitable: bool = True,
                         unsuitable_reason: str = "", today: dt.date | None = None) -> AccommodationPeriod:
    """Item 3: where the young person lives from `start` (a move: the current accommodation ends that day), or a
    past period with its end. A move into today's accommodation raises the event it is and sets the circumstance
    as the active pack's `accommodation_moves` say, keeps YoungPerson.accommodation (and, with an address, the
    address history) in step, and recomputes the requirements, all in this one transaction."""
    today = today or timezone.localdate()
    young_person = lock(young_person, "pa__team")
    require("careleavers.record_accommodation", user=actor.user, obj=young_person)
    if code not in ACCOMMODATION_TYPES:
        raise ServiceError("Choose the type of accommodation.", field="code")
    unsuitable_reason = (unsuitable_reason or "").strip()
    if code in ALWAYS_UNSUITABLE and suitable:
        raise ServiceError(f"{ACCOMMODATION_TYPES[code]} is always recorded as unsuitable (DfE 903 rule 133): "
                           "untick suitable and say why.", field="suitable")
    if not suitable and not unsuitable_reason:
        raise ServiceError("Say why the accommodation is not suitable.", field="unsuitable_reason")
    if staying_put and code != STAYING_PUT:
        raise ServiceError(f"Staying put is living with former foster carers: choose type {STAYING_PUT}.",
                           field="staying_put")
    check_period_dates(young_person=young_person, start=start, end=end, today=today, what="accommodation")
    periods = list(AccommodationPeriod.objects.select_for_update().filter(young_person=young_person))
    closing = period_to_close(periods, start=start, end=end, what="accommodation")
    if closing is not None:
        closing.end = start
        closing.save()
    period = AccommodationPeriod.objects.create(
        young_person=young_person, code=code, address=(address or "").strip(), start=start, end=end,
        provider=(provider or "").strip()[:200], council_provided=council_provided, staying_put=staying_put,
        suitable=suitable, unsuitable_reason="" if suitable else unsuitable_reason, recorded_by=actor)
    event = None
    circumstance_before = young_person.circumstance
    if end is None:  # today's accommodation: the move's event, circumstance and derived fields
        moves = active_pack().accommodation_moves or {}
        first_provided = not any(p.council_provided for p in periods)
        event_kind, circumstance = accommodation_move_effects(
            moves=moves, code=code, previous_code=closing.code if closing else None,
            circumstance=young_person.circumstance, council_provided=council_provided, first_provided=first_provided)
        young_person.circumstance = circumstance
        young_person.accommodation = ACCOMMODATION_KIND[code]
        young_person.save()  # versioned record: save, never update()
        if event_kind:
            event = Event.objects.create(young_person=young_person, kind=event_kind, date=start, recorded_by=actor,
                                         notes=f"Moved to {ACCOMMODATION_TYPES[code].lower()} (recorded with the move).")
            audit_record(kind=AuditKind.EVENT_RECORDED, actor=actor, young_person=young_person, obj=event,
                         event_kind=event_kind, date=start)
        if period.address and period.address != young_person.address:
            address_record(young_person=young_person, actor=actor, address=period.address, start=start, today=today)
    what = f"{ACCOMMODATION_TYPES[code]} from {british(start)}" + (f" to {british(end)}" if end else "")
    lines = [f"Provider: {period.provider}." if period.provider else "",
             "Provided by the council." if council_provided else "", "Staying put." if staying_put else "",
             "Suitable." if suitable else f"Not suitable: {unsuitable_reason}",
             f"Event: {EventKind(event.kind).label}." if event else "",
             f"Circumstance: {Circumstance(young_person.circumstance).label}."
             if young_person.circumstance != circumstance_before else ""]
    case_note_add(young_person=young_person, author=actor, subject=f"Accommodation: {what}"[:200],
                  text=" ".join(line for line in lines if line))
    audit_record(kind=AuditKind.ACCOMMODATION_RECORDED, actor=actor, young_person=young_person, obj=period, code=code,
                 start=start, end=end, suitable=suitable, closed=closing.pk if closing else None,
                 event=event.kind if event else None, circumstance_from=circumstance_before,
                 circumstance_to=young_person.circumstance)
    recompute_young_person(young_person, as_of=today)
    return period
