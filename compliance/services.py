"""Writes to policy packs. Changing the rules moves every due date, so each write recomputes."""

import datetime as dt
import secrets

import rules
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from careleavers.codes import ACCOMMODATION_TYPES, ALWAYS_UNSUITABLE, STAYING_PUT
from careleavers.models import (
    ACCOMMODATION_KIND,
    CASE_NOTE_MAX_LENGTH,
    AbsenceReason,
    AccommodationPeriod,
    Allocation,
    CaseClosure,
    CaseNote,
    CaseNoteKind,
    Circumstance,
    ClosureReason,
    Cover,
    Event,
    EventKind,
    IntervalOverride,
    LegalStatus,
    LegalStatusChange,
    PlannedAbsence,
    Staff,
    SupervisionSession,
    Team,
    YoungPerson,
)
from careleavers.services import (
    address_record,
    case_note_add,
    check_note_text,
    check_period_dates,
    check_record_date,
    notify,
    period_to_close,
)
from core.audit import audit_record
from core.dates import age_on, birthday, british
from core.errors import InvalidState, NotAllowed, ServiceError, StaleVersion
from core.models import AuditKind
from core.transitions import lock, require

from .checkpoints import caseload_orders_lock
from .engine import recompute, recompute_young_person
from .models import PolicyPack, RequirementCode
from .packs import PATHWAY_REVIEW_DAYS, PackData, active_pack, load_pack
from .selectors import pack_intervals_for


@transaction.atomic
def pack_activate(*, pack: PolicyPack, actor: Staff | None = None) -> PolicyPack:
    """Make `pack` the service's one active pack and recompute everyone under it."""
    caseload_orders_lock()  # issue 16: before any row lock
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
    caseload_orders_lock()  # issue 16: before any row lock
    audit_record(kind=AuditKind.PACK_CHANGED, actor=actor, obj=pack, key=pack.key, is_active=pack.is_active)
    if pack.is_active:
        recompute(timezone.localdate())


@transaction.atomic
def event_record(*, young_person: YoungPerson, actor: Staff, kind: str, date, notes: str = "", today=None) -> Event:
    """A custody start, emergency placement, move or other significant change (T6, T7, P1): it can
    pull a due date forward, so the young person's requirements are recomputed at once."""
    caseload_orders_lock()  # issue 16: before any row lock
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
    caseload_orders_lock()  # issue 16: before any row lock
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
    caseload_orders_lock()  # issue 16: before any row lock
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
                           "supervision.", field="reason")  # T4
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
                  subject=f"Interval agreed: {_requirement_label(requirement)} every {interval_days} days",  # T4
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
    caseload_orders_lock()  # issue 16: before any row lock
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
    caseload_orders_lock()  # issue 16: before any row lock
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
    start = min(d for d in (young_person.birthday_16, young_person.allocated_on) if d is not None)
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
    service = "" if status != LegalStatus.QUALIFYING else (" with a PA service" if pa_service else " without a PA service")  # T9
    case_note_add(young_person=young_person, author=actor, kind=CaseNoteKind.GENERAL,
                  subject=f"Legal status: {LegalStatus(status).label} from {british(from_date)}{service}", text=reason)
    audit_record(kind=AuditKind.LEGAL_STATUS_CHANGED, actor=actor, young_person=young_person, obj=change,
                 status_from=previous[0], status_to=status, from_date=from_date, pa_service_from=previous[1],
                 pa_service=pa_service)
    recompute_young_person(young_person)
    return change


# --- issue 11 (items 1, 6, 8, 9): registration, allocation and cover, closing and reopening ----------
# Every date a case's requirements count from can move here (registration starts "PA allocated", allocation
# starts the pattern, closing ends it, reopening starts it again), so each service recomputes in its transaction.

#: Issue 11, item 1: the youngest a young person is referred at (looked after from 14: the eligible rules).
REFERRAL_MIN_AGE = 14
#: The service ends at 25 at the latest (CSWA 2017, s3).
SERVICE_MAX_AGE = 25


def _text(value: str | None) -> str:
    return (value or "").strip()


def _check_personal_adviser(*, pa: Staff | None, actor: Staff, field: str = "pa") -> Staff:
    """A PA to give a case to: a Personal Adviser; for a Team Leader, one of their own team."""
    if pa is None or not pa.is_pa:
        raise ServiceError("Choose a Personal Adviser.", field=field)
    if rules.test_rule("careleavers.team_leader_only_own_team", actor.user) and pa.team_id != actor.team_id:
        raise ServiceError(f"{pa.name} is in another team: a Team Leader allocates only to a PA of their own team; "
                           "the Service Leader allocates across teams.", field=field)
    return pa


def _check_referral(*, date_of_birth: dt.date, legal_status: str, legal_status_from: dt.date,
                    ceased_looked_after_on: dt.date | None, today: dt.date) -> None:
    """A date of birth not in the future and of someone 14 to 24; a legal status with a date not in the future
    nor before the 14th birthday; the same for the date they ceased to be looked after."""
    if date_of_birth > today:
        raise ServiceError(f"The date of birth cannot be in the future (today is {british(today)}).", field="date_of_birth")
    age = age_on(date_of_birth, today)
    if age < REFERRAL_MIN_AGE:
        raise ServiceError(f"A young person is referred from {REFERRAL_MIN_AGE}: this date of birth makes them "
                           f"{age}. Check the date.", field="date_of_birth")
    if age >= SERVICE_MAX_AGE:
        raise ServiceError(f"This date of birth makes them {age}: the service ends at {SERVICE_MAX_AGE}. "
                           "Check the date.", field="date_of_birth")
    if legal_status not in LegalStatus.values:
        raise ServiceError("Choose the legal status.", field="legal_status")
    earliest = birthday(date_of_birth, REFERRAL_MIN_AGE)
    for field, day in (("legal_status_from", legal_status_from), ("ceased_looked_after_on", ceased_looked_after_on)):
        if day is None:
            continue
        if day > today:
            raise ServiceError(f"The date cannot be in the future (today is {british(today)}).", field=field)
        if day < earliest:
            raise ServiceError(f"{british(day)} is before their {REFERRAL_MIN_AGE}th birthday. Check the date.",
                               field=field)


@transaction.atomic
def young_person_register(*, actor: Staff, name: str, date_of_birth: dt.date, legal_status: str,
                          legal_status_from: dt.date, referring_team: Team | None, preferred_name: str = "",
                          ceased_looked_after_on: dt.date | None = None, today: dt.date | None = None) -> YoungPerson:
    """Issue 11, item 1: a Team Leader (for their own team) or the Service Leader registers a referral. The young
    person waits in the unallocated queue, and "PA allocated" is due the pack's allocation_days later (V3: nothing
    else counts before allocation). The legal status is a dated LegalStatusChange from the start (T8)."""
    caseload_orders_lock()  # issue 16: before any row lock
    today = today or timezone.localdate()
    require("careleavers.register_young_person", user=actor.user)
    name = _text(name)
    if not name:
        raise ServiceError("Give the young person's name.", field="name")
    _check_referral(date_of_birth=date_of_birth, legal_status=legal_status, legal_status_from=legal_status_from,
                    ceased_looked_after_on=ceased_looked_after_on, today=today)
    if referring_team is None:
        raise ServiceError("Choose the team the referral is for.", field="referring_team")
    if rules.test_rule("careleavers.team_leader_only_own_team", actor.user) and referring_team.pk != actor.team_id:
        raise ServiceError("A Team Leader registers referrals to their own team.", field="referring_team")
    young_person = YoungPerson(
        ref=f"R-{secrets.token_hex(4).upper()}", name=name, preferred_name=_text(preferred_name),
        date_of_birth=date_of_birth, legal_status=legal_status, referred_on=today, referring_team=referring_team,
        ceased_looked_after_on=ceased_looked_after_on, pa=None, allocated_on=None,
    )
    young_person.save()
    LegalStatusChange.objects.create(young_person=young_person, status=legal_status, from_date=legal_status_from,
                                     recorded_by=actor, reason="Recorded at registration.")
    case_note_add(young_person=young_person, author=actor, kind=CaseNoteKind.GENERAL,
                  subject=f"Registered: referred to {referring_team.name}",
                  text=f"Registered by {actor.name} on {british(today)}; waiting for a Personal Adviser.")
    audit_record(kind=AuditKind.YOUNG_PERSON_REGISTERED, actor=actor, young_person=young_person, obj=young_person,
                 team=referring_team.pk, legal_status=legal_status, legal_status_from=legal_status_from)
    recompute_young_person(young_person, as_of=today)
    return young_person


@transaction.atomic
def allocation_make(*, young_person: YoungPerson, pa: Staff, actor: Staff, reason: str = "",
                    start: dt.date | None = None, expected_pa_id: int | str | None = "",
                    today: dt.date | None = None) -> Allocation:
    """Issue 11, item 6: allocate or reallocate. Every change is an Allocation row, closing the one before;
    a Team Leader allocates only to a PA of their own team, the Service Leader across teams. Both PAs are told.
    V3: a reallocation never resets a clock (the engine counts from the first allocation, not from this one)."""
    caseload_orders_lock()  # issue 16: before any row lock
    today = today or timezone.localdate()
    young_person = lock(young_person, "pa")
    require("careleavers.allocate", user=actor.user, obj=young_person)
    if expected_pa_id not in ("", young_person.pa_id):  # the form was read before another change
        holder = young_person.pa.name if young_person.pa else "no one"
        raise StaleVersion(f"Someone changed the allocation while you had the form open: the case is now held by "
                           f"{holder}. Check and choose again.")
    if young_person.closed_on is not None and young_person.closed_on <= today:
        raise InvalidState(f"{young_person.name}'s case is closed: reopen it to allocate a PA.")
    pa = _check_personal_adviser(pa=pa, actor=actor)
    start = start or today
    if pa.pk == young_person.pa_id:
        raise ServiceError(f"{pa.name} already holds {young_person.name}'s case.", field="pa")
    if start > today:
        raise ServiceError(f"The date cannot be in the future (today is {british(today)}).", field="start")
    current = Allocation.objects.select_for_update().filter(young_person=young_person, end__isnull=True).first()
    earliest = current.start if current else young_person.referred_on
    if earliest is not None and start < earliest:
        raise ServiceError(f"{british(start)} is before {british(earliest)}, when the case was "
                           f"{'last allocated' if current else 'registered'}. Check the date.", field="start")
    previous = young_person.pa
    if current is not None:
        current.end = start
        current.save()
    allocation = Allocation.objects.create(young_person=young_person, pa=pa, start=start, reason=_text(reason)[:200],
                                           created_by=actor)
    young_person.pa = pa
    if young_person.allocated_on is None:  # V3: the first allocation; later ones never move it
        young_person.allocated_on = start
    young_person.save()
    what = f"Reallocated from {previous.name} to {pa.name}" if previous else f"Allocated to {pa.name}"
    case_note_add(young_person=young_person, author=actor, kind=CaseNoteKind.GENERAL,
                  subject=f"{what} from {british(start)}", text=_text(reason) or what + ".")
    audit_record(kind=AuditKind.ALLOCATED, actor=actor, young_person=young_person, obj=allocation,
                 pa_from=previous.pk if previous else None, pa_to=pa.pk, start=start)
    notify(recipients=[pa], kind="allocation", young_person=young_person,
           message=f"{young_person.name} is allocated to you from {british(start)} (by {actor.name}).")
    if previous is not None:
        notify(recipients=[previous], kind="allocation", young_person=young_person,
               message=f"{young_person.name} is reallocated to {pa.name} from {british(start)} (by {actor.name}).")
    recompute_young_person(young_person, as_of=today)
    return allocation


def _check_cover_dates(*, start: dt.date, end: dt.date, today: dt.date) -> None:
    if end < start:
        raise ServiceError("The last day of cover must be on or after the first day.", field="end")
    if end < today:
        raise ServiceError("Cover must not be over already.", field="end")


def _cover_one(*, young_person: YoungPerson, pa: Staff, actor: Staff, start: dt.date, end: dt.date, reason: str,
               field: str = "pa") -> Cover:
    if young_person.pa_id is None:
        raise InvalidState(f"{young_person.name} has no PA yet: allocate the case first.")
    if pa.pk == young_person.pa_id:
        raise ServiceError(f"{pa.name} holds {young_person.name}'s case: choose someone else to cover.", field=field)
    if Cover.objects.filter(young_person=young_person, start__lte=end, end__gte=start).exists():
        raise ServiceError(f"{young_person.name} already has cover for part of {british(start)} to {british(end)}.",
                           field="start")
    cover = Cover.objects.create(young_person=young_person, pa=pa, start=start, end=end, reason=_text(reason)[:200])
    holder = young_person.pa
    case_note_add(young_person=young_person, author=actor, kind=CaseNoteKind.GENERAL,
                  subject=f"Cover by {pa.name} from {british(start)} to {british(end)}",
                  text=_text(reason) or f"{pa.name} covers for {holder.name if holder else 'the PA'}.")
    audit_record(kind=AuditKind.COVER_SET, actor=actor, young_person=young_person, obj=cover, pa=pa.pk,
                 start=start, end=end)
    notify(recipients=[pa], kind="cover", young_person=young_person,
           message=f"You cover {young_person.name} from {british(start)} to {british(end)} (set by {actor.name}).")
    if holder is not None:
        notify(recipients=[holder], kind="cover", young_person=young_person,
               message=f"{pa.name} covers {young_person.name} from {british(start)} to {british(end)}.")
    return cover


@transaction.atomic
def cover_set(*, young_person: YoungPerson, pa: Staff, actor: Staff, start: dt.date, end: dt.date, reason: str = "",
              today: dt.date | None = None) -> Cover:
    """Issue 11, item 6: a PA covers a case from a start to an end (a PA on leave); meanwhile the covering PA sees
    and works the case (core.rules.visible_young_people). Both PAs are told. No due date moves."""
    caseload_orders_lock()  # issue 16: before any row lock
    today = today or timezone.localdate()
    young_person = lock(young_person, "pa")
    require("careleavers.set_cover", user=actor.user, obj=young_person)
    pa = _check_personal_adviser(pa=pa, actor=actor)
    _check_cover_dates(start=start, end=end, today=today)
    return _cover_one(young_person=young_person, pa=pa, actor=actor, start=start, end=end, reason=reason)


@transaction.atomic
def absence_plan_for(*, staff: Staff, actor: Staff, start: dt.date, end: dt.date, reason: str,
                     today: dt.date | None = None) -> PlannedAbsence:
    """Issue 11, item 6 (V5): a Team Leader enters the planned absence of a PA of their team (the Service Leader
    of anyone's)."""
    today = today or timezone.localdate()
    if not rules.has_perm("careleavers.plan_absence_for", actor.user, staff):
        raise ServiceError("A Team Leader plans absences only for the staff of their own team.", field="staff")
    if not staff.is_pa:
        raise ServiceError("Choose a Personal Adviser.", field="staff")
    if reason not in AbsenceReason.values:
        raise ServiceError("Choose the reason for the absence.", field="reason")
    if end < start:
        raise ServiceError("The last day of the absence must be on or after the first day.", field="end")
    if end < today:
        raise ServiceError("A planned absence must not be over already.", field="end")
    if PlannedAbsence.objects.filter(staff=staff, start__lte=end, end__gte=start).exists():
        raise ServiceError(f"This overlaps an absence already planned for {staff.name}.", field="start")
    absence = PlannedAbsence.objects.create(staff=staff, start=start, end=end, reason=reason)
    audit_record(kind=AuditKind.ABSENCE_PLANNED_FOR, actor=actor, obj=absence, staff=staff.pk, start=start, end=end,
                 reason=reason)
    notify(recipients=[staff], kind="absence",
           message=f"{actor.name} planned your absence from {british(start)} to {british(end)}.")
    return absence


@transaction.atomic
def cover_for_absence(*, absence: PlannedAbsence, actor: Staff, cover_by: dict[int, Staff], reason: str = "",
                      today: dt.date | None = None) -> list[Cover]:
    """Issue 11, item 6: cover for the whole of a PA's planned absence, for every case they hold, in one step:
    `cover_by` maps each young person's id to the covering PA (one PA for all, or split across PAs). All or
    nothing: one refusal and no cover is set."""
    caseload_orders_lock()  # issue 16: before any row lock
    today = today or timezone.localdate()
    if not rules.has_perm("careleavers.plan_absence_for", actor.user, absence.staff):
        raise NotAllowed("A Team Leader sets cover only for the staff of their own team.")
    _check_cover_dates(start=absence.start, end=absence.end, today=today)
    cases = list(YoungPerson.objects.select_for_update(of=("self",)).select_related("pa")
                 .filter(pa=absence.staff).filter(Q(closed_on__isnull=True) | Q(closed_on__gt=today)).order_by("name"))
    if not cases:
        raise InvalidState(f"{absence.staff.name} holds no open cases to cover.")
    missing = [yp.name for yp in cases if cover_by.get(yp.pk) is None]
    if missing:
        raise ServiceError("Choose who covers each case.", field="cover", reasons=missing)
    reason = _text(reason) or f"{absence.staff.name}'s {absence.get_reason_display().lower()}"
    covers = []
    for yp in cases:
        pa = _check_personal_adviser(pa=cover_by[yp.pk], actor=actor, field="cover")
        covers.append(_cover_one(young_person=yp, pa=pa, actor=actor, start=absence.start, end=absence.end,
                                 reason=reason, field="cover"))
    return covers


@transaction.atomic
def case_close(*, young_person: YoungPerson, actor: Staff, closed_on: dt.date, reason: str, details: str = "",
               today: dt.date | None = None) -> CaseClosure:
    """Issue 11, item 8: close at 21, at 25 or earlier (moved away, no longer wants a service, died, other), with
    the reason and date. Nothing is deleted: the allocation row ends, the closure is a row, and the engine drops
    the young person's requirements from that day (closed_on)."""
    caseload_orders_lock()  # issue 16: before any row lock
    today = today or timezone.localdate()
    young_person = lock(young_person, "pa")
    require("careleavers.close_case", user=actor.user, obj=young_person)
    if young_person.closed_on is not None:
        raise InvalidState(f"{young_person.name}'s case is already closed (from {british(young_person.closed_on)}).")
    if reason not in ClosureReason.values:
        raise ServiceError("Choose why the case is closing.", field="reason")
    details = _text(details)
    if reason == ClosureReason.OTHER and not details:
        raise ServiceError("Say why the case is closing.", field="details")
    if closed_on > today:
        raise ServiceError(f"The date cannot be in the future (today is {british(today)}).", field="closed_on")
    current = Allocation.objects.select_for_update().filter(young_person=young_person, end__isnull=True).first()
    earliest = max(d for d in (young_person.referred_on, young_person.reopened_on,
                               current.start if current else None, birthday(young_person.date_of_birth, 16))
                   if d is not None)
    if closed_on < earliest:
        raise ServiceError(f"{british(closed_on)} is before {british(earliest)}. Check the date.", field="closed_on")
    ages: dict[str, tuple[dt.date, str]] = {ClosureReason.AGE_21: (young_person.birthday_21, "21st"),
                                            ClosureReason.AGE_25: (young_person.birthday_25, "25th")}
    if reason in ages and closed_on < ages[reason][0]:
        raise ServiceError(f"{young_person.name}'s {ages[reason][1]} birthday is {british(ages[reason][0])}: "
                           "choose another reason to close earlier.", field="reason")
    if current is not None:
        current.end = closed_on
        current.save()
    closure = CaseClosure.objects.create(young_person=young_person, closed_on=closed_on, reason=reason, details=details,
                                         closed_by=actor, pa=young_person.pa)
    young_person.closed_on = closed_on
    young_person.closure_reason = (ClosureReason(reason).label + (f": {details}" if details else ""))[:200]
    young_person.save()
    case_note_add(young_person=young_person, author=actor, kind=CaseNoteKind.GENERAL,
                  subject=f"Case closed from {british(closed_on)}: {ClosureReason(reason).label}",
                  text=details or f"Closed by {actor.name}.")
    audit_record(kind=AuditKind.CASE_CLOSED, actor=actor, young_person=young_person, obj=closure, reason=reason,
                 closed_on=closed_on)
    if young_person.pa is not None and young_person.pa.pk != actor.pk:
        notify(recipients=[young_person.pa], kind="closure", young_person=young_person,
               message=f"{young_person.name}'s case is closed from {british(closed_on)} (by {actor.name}).")
    recompute_young_person(young_person, as_of=today)
    return closure


def _record_s3(young_person: YoungPerson, requested_on: dt.date, *, today: dt.date, field: str) -> None:
    if requested_on > today:
        raise ServiceError(f"The date cannot be in the future (today is {british(today)}).", field=field)
    if requested_on >= young_person.birthday_25:
        raise ServiceError(f"{young_person.name} was 25 on {british(young_person.birthday_25)}: support to 25 has ended.",
                           field=field)
    if requested_on < birthday(young_person.date_of_birth, 16):
        raise ServiceError(f"{british(requested_on)} is before their 16th birthday. Check the date.", field=field)
    young_person.extended_support = True
    young_person.extended_support_requested_on = requested_on


@transaction.atomic
def extended_support_request(*, young_person: YoungPerson, actor: Staff, requested_on: dt.date,
                             today: dt.date | None = None) -> YoungPerson:
    """CSWA 2017 s3: the young person asks for a PA to 25, recorded with its date; they stay in service to 25."""
    caseload_orders_lock()  # issue 16: before any row lock
    today = today or timezone.localdate()
    young_person = lock(young_person, "pa")
    require("careleavers.record_extended_support", user=actor.user, obj=young_person)
    if young_person.extended_support and young_person.extended_support_requested_on:
        raise InvalidState(f"The request for support to 25 is already recorded "
                           f"({british(young_person.extended_support_requested_on)}).")
    _record_s3(young_person, requested_on, today=today, field="requested_on")
    young_person.save()
    case_note_add(young_person=young_person, author=actor, kind=CaseNoteKind.GENERAL,
                  subject=f"Asked for support to 25 on {british(requested_on)} (s3)",
                  text=f"Recorded by {actor.name}: a Personal Adviser to 25 (Children and Social Work Act 2017, s3).")
    audit_record(kind=AuditKind.EXTENDED_SUPPORT_REQUESTED, actor=actor, young_person=young_person, obj=young_person,
                 requested_on=requested_on)
    recompute_young_person(young_person, as_of=today)
    return young_person


def _check_reopening(young_person: YoungPerson, reopened_on: dt.date, *, today: dt.date) -> None:
    closed_on = young_person.closed_on
    if reopened_on > today:
        raise ServiceError(f"The date cannot be in the future (today is {british(today)}).", field="reopened_on")
    if closed_on is not None and reopened_on < closed_on:
        raise ServiceError(f"{british(reopened_on)} is before the case closed ({british(closed_on)}).",
                           field="reopened_on")
    if reopened_on >= young_person.birthday_25:
        raise ServiceError(f"{young_person.name} was 25 on {british(young_person.birthday_25)}: the service has ended.",
                           field="reopened_on")


@transaction.atomic
def case_reopen(*, young_person: YoungPerson, actor: Staff, reopened_on: dt.date, pa: Staff, reason: str,
                extended_support_requested_on: dt.date | None = None, today: dt.date | None = None) -> CaseClosure:
    """Issue 11, item 8: a young person comes back (after 21 and under 25, with the s3 request; or earlier). The
    case reopens with a PA and the contact pattern starts again from that day (V3: reopened_on). The closure row
    keeps its date and reason and gains the reopening; nothing is deleted."""
    caseload_orders_lock()  # issue 16: before any row lock
    today = today or timezone.localdate()
    young_person = lock(young_person, "pa")
    require("careleavers.reopen_case", user=actor.user, obj=young_person)
    closure = CaseClosure.objects.select_for_update().filter(young_person=young_person, reopened_on__isnull=True).first()
    if young_person.closed_on is None:
        raise InvalidState(f"{young_person.name}'s case is open.")
    if closure is not None and closure.reason == ClosureReason.DIED:
        raise InvalidState(f"{young_person.name}'s case was closed because they died.")
    reason = _text(reason)
    if not reason:
        raise ServiceError("Say why the case is reopening.", field="reason")
    _check_reopening(young_person, reopened_on, today=today)
    pa = _check_personal_adviser(pa=pa, actor=actor)
    s3 = reopened_on >= young_person.birthday_21 and not young_person.extended_support
    if s3:  # after 21 the young person is back because they asked for a PA to 25 (s3)
        _record_s3(young_person, extended_support_requested_on or reopened_on, today=today,
                   field="extended_support_requested_on")
    if closure is None:  # closed before closures were rows (an import): the closing becomes one now
        closure = CaseClosure.objects.create(young_person=young_person, closed_on=young_person.closed_on,
                                             reason=ClosureReason.OTHER, details=young_person.closure_reason,
                                             closed_by=actor, pa=young_person.pa)
    closure.reopened_on = reopened_on
    closure.reopened_by = actor
    closure.reopen_reason = reason
    closure.save()
    for open_allocation in Allocation.objects.filter(young_person=young_person, end__isnull=True):
        open_allocation.end = max(young_person.closed_on, open_allocation.start)  # versioned: saved, not updated
        open_allocation.save()
    Allocation.objects.create(young_person=young_person, pa=pa, start=reopened_on, reason="Case reopened",
                              created_by=actor)
    young_person.pa = pa
    if young_person.allocated_on is None:
        young_person.allocated_on = reopened_on
    young_person.closed_on = None
    young_person.closure_reason = ""
    young_person.reopened_on = reopened_on
    young_person.save()
    case_note_add(young_person=young_person, author=actor, kind=CaseNoteKind.GENERAL,
                  subject=f"Case reopened from {british(reopened_on)}, allocated to {pa.name}",
                  text=reason + ("\nAsked for support to 25 (s3)." if s3 else ""))
    audit_record(kind=AuditKind.CASE_REOPENED, actor=actor, young_person=young_person, obj=closure, pa=pa.pk,
                 reopened_on=reopened_on, extended_support=young_person.extended_support)
    notify(recipients=[pa], kind="allocation", young_person=young_person,
           message=f"{young_person.name}'s case is reopened and allocated to you from {british(reopened_on)}.")
    recompute_young_person(young_person, as_of=today)
    return closure
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
    caseload_orders_lock()  # issue 16: before any row lock
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
    caseload_orders_lock()  # issue 16: before any row lock
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
