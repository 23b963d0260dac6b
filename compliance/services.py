"""Writes to policy packs. Changing the rules moves every due date, so each write recomputes."""

import datetime as dt

import rules
from django.db import transaction
from django.utils import timezone

from careleavers.models import (
    CASE_NOTE_MAX_LENGTH,
    CaseNote,
    CaseNoteKind,
    Event,
    EventKind,
    IntervalOverride,
    LegalStatus,
    LegalStatusChange,
    Staff,
    SupervisionSession,
    YoungPerson,
)
from careleavers.services import case_note_add, check_note_text, check_record_date
from core.audit import audit_record
from core.dates import british
from core.errors import InvalidState, NotAllowed, ServiceError
from core.models import AuditKind
from core.transitions import lock, require

from .engine import recompute, recompute_young_person
from .models import PolicyPack, RequirementCode
from .packs import PATHWAY_REVIEW_DAYS, PackData, load_pack
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
                          actor: Staff, today=None, supervision_note: CaseNote | None = None) -> IntervalOverride:
    """T4 (agreed in supervision), V1 (more often as needs require): a Team Leader of the young person's
    team or a Service Leader sets the interval of one requirement for this young person. Longer than the
    active pack's interval only with the reason agreed, never as a bare number; the pathway plan review
    never past 182 days (reg 7). Who agreed it is recorded; the requirements are recomputed at once.
    Issue 12, item 3: `supervision_note` is the supervision case note that agreed it (its text is the reason
    when none is given); the override points at it."""
    today = today or timezone.localdate()
    young_person = lock(young_person, "pa__team")
    require("compliance.set_interval_override", user=actor.user, obj=young_person)
    reason = (reason or "").strip()
    if supervision_note is not None:
        if supervision_note.young_person_id != young_person.pk or supervision_note.kind != CaseNoteKind.SUPERVISION:
            raise ServiceError("Choose a supervision note on this young person's record.", field="supervision_note")
        reason = reason or supervision_note.text
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
    override.supervision_note = supervision_note
    override.save()
    held = (f" in supervision on {british(supervision_note.supervision.held_on)}"
            if supervision_note is not None and supervision_note.supervision is not None else "")
    case_note_add(young_person=young_person, author=actor, kind=CaseNoteKind.OVERSIGHT,
                  subject=f"Interval agreed: {_requirement_label(requirement)} every {interval_days} days (T4)",
                  text=f"Agreed by {actor.name}{held}. The policy's interval is {pack_days} days."
                       + (f"\nReason: {reason}" if reason else ""))
    audit_record(kind=AuditKind.INTERVAL_OVERRIDE_SET, actor=actor, young_person=young_person, obj=override,
                 requirement=requirement, interval_days=interval_days, previous=previous, pack_days=pack_days,
                 reason=reason, supervision_note=supervision_note.pk if supervision_note is not None else None)
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


# --- issue 12 (items 1-3): supervision sessions (item 3) --------------------------------------------------


def _check_session_date(held_on: dt.date, today: dt.date) -> None:
    if held_on > today:
        raise ServiceError(f"The date of the session cannot be in the future (today is {british(today)}).",
                           field="held_on")
    if held_on < today - dt.timedelta(days=SUPERVISION_RECORD_WINDOW_DAYS):
        raise ServiceError(f"{british(held_on)} is more than three months ago. Check the date.", field="held_on")


#: A supervision is recorded soon after it is held: an older date is almost certainly a typing mistake.
SUPERVISION_RECORD_WINDOW_DAYS = 92


@transaction.atomic
def supervision_record(*, pa: Staff, actor: Staff, held_on: dt.date, summary: str, items: list[dict],
                       today: dt.date | None = None) -> SupervisionSession:
    """Issue 12, item 3: the PA's Team Leader (or a Service Leader) records a supervision session covering several
    young people. Each item ({"young_person", "text", and optionally "requirement" and "interval_days"}) becomes a
    supervision case note on that young person's record, linked to the session; an interval agreed in supervision
    (T4) is set through interval_override_set, pointing at that note. Only young people the PA works (their
    caseload and the cases they cover); all or nothing."""
    today = today or timezone.localdate()
    if not rules.has_perm("careleavers.record_supervision", actor.user, pa):
        raise NotAllowed("Only the Personal Adviser's own Team Leader, or a Service Leader, records their supervision.")
    _check_session_date(held_on, today)
    summary = (summary or "").strip()
    if len(summary) > CASE_NOTE_MAX_LENGTH:
        raise ServiceError(f"The summary can be at most {CASE_NOTE_MAX_LENGTH:,} characters; this one is "
                           f"{len(summary):,}.", field="summary")
    if not items:
        raise ServiceError("Write a note for at least one young person discussed.", field=None)
    works = set(YoungPerson.objects.visible_to(pa.user, on=held_on).values_list("pk", flat=True))
    works |= set(YoungPerson.objects.visible_to(pa.user, on=today).values_list("pk", flat=True))
    seen: set[int] = set()
    for item in items:
        young_person = item["young_person"]
        if young_person.pk not in works or young_person.pk in seen:
            raise ServiceError(f"{young_person.name} is not one of the young people {pa.name} works with.",
                               field=f"note_{young_person.pk}")
        seen.add(young_person.pk)
    session = SupervisionSession.objects.create(pa=pa, supervisor=actor, held_on=held_on, summary=summary)
    for item in items:
        young_person = item["young_person"]
        _, text = check_note_text(subject="Supervision", text=item["text"], field=f"note_{young_person.pk}")
        note = CaseNote.objects.create(
            young_person=young_person, author=actor, kind=CaseNoteKind.SUPERVISION, supervision=session, text=text,
            subject=f"Supervision with {pa.name}, {british(held_on)}"[:200],
        )
        audit_record(kind=AuditKind.CASE_NOTE_WRITTEN, actor=actor, young_person=young_person, obj=note,
                     note_kind=CaseNoteKind.SUPERVISION, supervision=session.pk)
        if item.get("requirement"):
            try:
                interval_override_set(young_person=young_person, requirement=item["requirement"],
                                      interval_days=item.get("interval_days") or 0, reason=text, actor=actor,
                                      today=today, supervision_note=note)
            except ServiceError as exc:
                raise ServiceError(f"{young_person.name}: {exc}", field=f"interval_{young_person.pk}") from exc
    audit_record(kind=AuditKind.SUPERVISION_RECORDED, actor=actor, obj=session, pa=pa.pk, held_on=held_on,
                 young_people=sorted(seen))
    return session
