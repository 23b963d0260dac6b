"""Writes to case records (STYLE 2): keyword-only, one transaction, audit row included."""

import datetime as dt
import re
from functools import partial
from typing import Any

import rules
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import audit_record
from core.dates import birthday, british
from core.errors import InvalidState, NotAllowed, ServiceError, StaleVersion
from core.models import AuditKind
from core.rules import refusal

from .codes import ACTIVITY
from .models import (
    CASE_NOTE_MAX_LENGTH,
    WRITTEN_NOTE_KINDS,
    AbsenceReason,
    ActivityPeriod,
    AddressPeriod,
    CardKind,
    CardSent,
    CaseNote,
    CaseNoteKind,
    ContactPreference,
    KeyProfessional,
    LegalStatus,
    Notification,
    PlannedAbsence,
    ProfessionalRole,
    Staff,
    YoungPerson,
)


def check_can_record(*, actor: Staff | None, young_person: YoungPerson, permission: str = "careleavers.record_contact",
                     message: str = "") -> None:
    """May `actor` write this to the young person's record (the core.rules `permission`)? NotAllowed if not,
    with `message`, or else the reason: not someone who writes records, or not on their caseload."""
    if actor is not None and rules.has_perm(permission, actor.user, young_person):
        return
    if message:
        raise NotAllowed(message)
    if actor is None or not rules.test_rule("careleavers.writes_records", actor.user):
        raise NotAllowed("Only Personal Advisers and managers can write to a young person's record.")
    raise NotAllowed("This young person is not on your caseload.")


def check_record_date(*, young_person: YoungPerson, date: dt.date, time: dt.time | None = None,
                      today: dt.date | None = None, field: str = "date", what: str = "contact") -> None:
    """No future dates; a date before allocation, or more than a year before the 16th birthday,
    is almost certainly a typing mistake, so it is refused with a message saying why."""
    today = today or timezone.localdate()
    if date > today:
        raise ServiceError(f"The date of the {what} cannot be in the future (today is {british(today)}).", field=field)
    if time is not None and date == today and time > timezone.localtime().time().replace(second=59):
        raise ServiceError(f"The time of the {what} cannot be in the future.", field="time")
    if young_person.allocated_on is not None and date < young_person.allocated_on:
        raise ServiceError(
            f"{british(date)} is before {young_person.name} was allocated to the service "
            f"({british(young_person.allocated_on)}). Check the date.",
            field=field,
        )
    earliest = birthday(young_person.date_of_birth, 15)
    if date < earliest:
        raise ServiceError(
            f"{british(date)} is more than a year before {young_person.name}'s 16th birthday. Check the date.", field=field
        )


@transaction.atomic(savepoint=False)  # joins the calling service's transaction: no savepoint queries
def case_note_add(*, young_person: YoungPerson, author: Staff | None, subject: str, text: str,
                  kind: str = CaseNoteKind.GENERAL) -> CaseNote:
    """Case notes are never edited; a correction is another note."""
    note = CaseNote.objects.create(young_person=young_person, author=author, subject=subject[:200], text=text, kind=kind)
    audit_record(kind=AuditKind.CASE_NOTE_ADDED, actor=author, young_person=young_person, obj=note,
                 note_kind=kind, subject=note.subject)
    return note


def notify(*, recipients, kind: str, message: str, url: str = "", young_person: YoungPerson | None = None) -> list[Notification]:
    """In-app notification for each recipient, and an e-mail once the transaction commits."""
    created = []
    for staff in {s.pk: s for s in recipients if s is not None}.values():
        created.append(Notification.objects.create(
            recipient=staff, kind=kind, message=message[:500], url=url, young_person=young_person))
        address = staff.email or getattr(staff.user, "email", "")
        if address:
            transaction.on_commit(partial(
                send_mail,
                subject=f"[{settings.SERVICE_NAME}] {message[:120]}",
                message=f"{message}\n\n{url}",
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[address],
                fail_silently=True,
            ))
    return created


# --- Planned absences and notifications (PA journeys) -------------------------------------


@transaction.atomic
def absence_add(*, staff: Staff, actor: Staff, start, end, reason: str, today=None):
    """A PA's own planned absence (V5): due dates inside it are flagged so visits come forward."""

    if actor is None or not rules.has_perm("careleavers.plan_own_absence", actor.user, staff):
        raise NotAllowed("You can only plan your own absences.")
    if reason not in AbsenceReason.values:
        raise ServiceError("Choose the reason for the absence.", field="reason")
    if end < start:
        raise ServiceError("The last day of the absence must be on or after the first day.", field="end")
    if end < (today or timezone.localdate()):
        raise ServiceError("A planned absence must not be over already.", field="end")
    if PlannedAbsence.objects.filter(staff=staff, start__lte=end, end__gte=start).exists():
        raise ServiceError("This overlaps an absence you have already planned.", field="start")
    try:
        absence = PlannedAbsence.objects.create(staff=staff, start=start, end=end, reason=reason)
    except IntegrityError as exc:  # the same absence saved at the same moment (absence_unique): a refusal, not a 500
        raise InvalidState("This absence was planned a moment ago, in another tab or by a second click.",
                           field="start") from exc
    audit_record(kind=AuditKind.ABSENCE_PLANNED, actor=actor, obj=absence, staff=staff.pk, start=start, end=end,
                 reason=reason)
    return absence


@transaction.atomic
def notification_mark_read(*, actor: Staff, notification_id: int | None = None) -> int:
    """Mark one of the actor's notifications (or all of them) as read; someone else's is not found.
    The audit event says how many were marked (none marked: nothing changed, no event)."""
    unread = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    # Notifications are not audited records, so a bulk update is fine here.
    count = unread.update(read_at=timezone.now())
    if count:
        audit_record(kind=AuditKind.NOTIFICATIONS_READ, actor=actor, count=count, notification_id=notification_id)
    return count


# --- T9: cards from the duty admin ------------------------------------------------------------------

#: A card is recorded around when it was sent: an older date is almost certainly a typing mistake.
CARD_DATE_WINDOW_DAYS = 62


@transaction.atomic
def card_record_sent(*, young_person: YoungPerson, kind: str, date: dt.date, actor: Staff,
                     today: dt.date | None = None) -> CardSent:
    """T9: the duty admin records a birthday or seasonal card sent to a section 24 young person without
    a PA service (the only young people on their list; `young_person` comes from careleavers.selectors.
    card_recipient_for). Rows are only ever added."""
    today = today or timezone.localdate()
    if actor is None or not rules.has_perm("careleavers.send_cards", actor.user):
        raise NotAllowed("Only the duty admin records the cards sent.")
    if young_person.legal_status != LegalStatus.QUALIFYING or young_person.pa_service:
        raise NotAllowed("Cards from the duty admin are for section 24 young people without a PA service.")  # T9
    if kind not in CardKind.values:
        raise ServiceError("Choose the card sent.", field="kind")
    if date > today:
        raise ServiceError(f"The date the card was sent cannot be in the future (today is {british(today)}).", field="date")
    if date < today - dt.timedelta(days=CARD_DATE_WINDOW_DAYS):
        raise ServiceError(f"{british(date)} is more than two months ago. Check the date.", field="date")
    card = CardSent.objects.create(young_person=young_person, kind=kind, date=date, sent_by=actor)
    audit_record(kind=AuditKind.CARD_SENT, actor=actor, young_person=young_person, obj=card, card_kind=kind, date=date)
    return card



# --- issue 12 (items 1-3): case notes written by staff, their corrections -----------------------------


SUBJECT_MAX_LENGTH = 200  # CaseNote.subject
CORRECTION_REASON_MAX_LENGTH = 500  # CaseNote.correction_reason


def _require(permission: str, actor: Staff | None, obj) -> None:
    reason = refusal(permission, actor.user, obj) if actor is not None else "Only staff write to a record."
    if reason is not None:
        raise NotAllowed(reason)


def check_note_text(*, subject: str, text: str, field: str = "text") -> tuple[str, str]:
    """A subject and a text, the text at most CASE_NOTE_MAX_LENGTH characters (issue 12, item 1)."""
    subject, text = (subject or "").strip(), (text or "").strip()
    if not subject:
        raise ServiceError("Give the note a subject (a few words on what it is about).", field="subject")
    if len(subject) > SUBJECT_MAX_LENGTH:
        raise ServiceError(f"The subject can be at most {SUBJECT_MAX_LENGTH} characters; this one is {len(subject):,}.",
                           field="subject")
    if not text:
        raise ServiceError("Write the note.", field=field)
    if len(text) > CASE_NOTE_MAX_LENGTH:
        raise ServiceError(
            f"A case note can be at most {CASE_NOTE_MAX_LENGTH:,} characters; this one is {len(text):,}. "
            "Shorten it, or split it into two notes.", field=field)
    return subject, text


@transaction.atomic
def case_note_write(*, young_person: YoungPerson, actor: Staff, kind: str, subject: str, text: str,
                    restricted: bool = False) -> CaseNote:
    """Issue 12, item 1: anyone who may see the young person writes a note. Management oversight is a manager's
    (careleavers.record_oversight); a supervision note comes from a supervision session; a restricted note is read
    only by managers and the allocated PA."""
    _require("careleavers.write_case_note", actor, young_person)
    if kind not in WRITTEN_NOTE_KINDS:
        raise ServiceError("Choose the kind of note.", field="kind")
    if kind == CaseNoteKind.OVERSIGHT:
        _require("careleavers.record_oversight", actor, young_person)
    subject, text = check_note_text(subject=subject, text=text)
    note = CaseNote.objects.create(young_person=young_person, author=actor, kind=kind, subject=subject, text=text,
                                   restricted=bool(restricted))
    audit_record(kind=AuditKind.OVERSIGHT_RECORDED if kind == CaseNoteKind.OVERSIGHT else AuditKind.CASE_NOTE_WRITTEN,
                 actor=actor, young_person=young_person, obj=note, note_kind=kind, restricted=note.restricted)
    return note


@transaction.atomic
def case_note_correct(*, note: CaseNote, actor: Staff, subject: str, text: str, reason: str,
                      restricted: bool = False) -> CaseNote:
    """Issue 12, item 1: a correction is the next version of the note, with its reason; the version corrected is
    never changed (managers read it on the note's page). `note` is the version the form was read at: if someone
    corrected it since, nothing is written (StaleVersion). A restricted note stays restricted."""
    _require("careleavers.correct_case_note", actor, note)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Say why the note is corrected.", field="reason")
    if len(reason) > CORRECTION_REASON_MAX_LENGTH:
        raise ServiceError(f"The reason can be at most {CORRECTION_REASON_MAX_LENGTH} characters; "
                           f"this one is {len(reason):,}.", field="reason")
    subject, text = check_note_text(subject=subject, text=text)
    # Lock the version corrected: two corrections of one version cannot both be saved (corrects is one-to-one).
    current = CaseNote.objects.select_for_update().get(pk=note.pk)
    if CaseNote.objects.filter(corrects=current).exists():
        raise StaleVersion("Someone corrected this note since you opened it: nothing was saved. "
                           "Read the note as it is now, then correct it again if you still need to.")
    if subject == current.subject and text == current.text and bool(restricted) <= current.restricted:
        raise ServiceError("Nothing was changed: edit the note's text or subject to correct it.", field="text")
    try:
        with transaction.atomic():
            corrected = CaseNote.objects.create(
                young_person=current.young_person, author=actor, kind=current.kind, subject=subject, text=text,
                restricted=current.restricted or bool(restricted), version=current.version + 1, corrects=current,
                original_id=current.root_id, correction_reason=reason, supervision=current.supervision,
            )
    except IntegrityError as exc:  # corrected at the same moment in another tab
        raise StaleVersion("Someone corrected this note a moment ago: nothing was saved.") from exc
    audit_record(kind=AuditKind.CASE_NOTE_CORRECTED, actor=actor, young_person=current.young_person, obj=corrected,
                 corrects=current.pk, version=corrected.version, reason=reason)
    return corrected
# --- issue 11 (items 2-5, 7, 10): identity and contact details, addresses, key professionals, EET ---------------

DETAILS_FIELDS = ("phone", "email", "preferred_contact", "ni_number", "first_language", "interpreter_needed",
                  "religion", "immigration_status", "uasc_details")
DETAILS_REFUSAL = "Only the young person's Personal Adviser, their Team Leader or a Service Leader edits their details."

#: HMRC: two prefix letters (neither D, F, I, Q, U or V; the second not O; not an unused pair), six digits, A-D.
_NI_NUMBER = re.compile(r"(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]")


def ni_number_normalised(value: str) -> str:
    """The NI number without spaces, in capitals ('' stays '')."""
    return re.sub(r"\s+", "", value or "").upper()


def ni_number_is_valid(value: str) -> bool:
    return bool(_NI_NUMBER.fullmatch(ni_number_normalised(value)))


def details_version(young_person: YoungPerson) -> str:
    """The version the Details form is read at (its hidden `read_version`): the values it shows."""
    return "|".join(str(getattr(young_person, field)) for field in DETAILS_FIELDS)


@transaction.atomic
def young_person_details_update(*, young_person: YoungPerson, actor: Staff, read_version: str | None = None,
                                **values: Any) -> YoungPerson:
    """Item 2: phone, e-mail, preferred way to be contacted, NI number, first language and interpreter, religion,
    immigration status and UASC details. A save over someone else's later save is refused (StaleVersion)."""
    check_can_record(actor=actor, young_person=young_person, permission="careleavers.edit_details",
                     message=DETAILS_REFUSAL)
    unknown = set(values) - set(DETAILS_FIELDS)
    if unknown:
        raise ServiceError(f"Not a detail of the record: {', '.join(sorted(unknown))}.")
    young_person = YoungPerson.objects.select_for_update().get(pk=young_person.pk)
    if read_version and read_version != details_version(young_person):
        then = dict(zip(DETAILS_FIELDS, read_version.split("|"), strict=False))
        label = {f: str(getattr(YoungPerson._meta.get_field(f), "verbose_name", f)) for f in DETAILS_FIELDS}
        label = {f: name[:1].upper() + name[1:] for f, name in label.items()}
        reasons = [f"{label[f]} is now {getattr(young_person, f)!r} (was {then.get(f, '')!r})"
                   for f in DETAILS_FIELDS if then.get(f) != str(getattr(young_person, f))]
        raise StaleVersion(current=details_version(young_person), reasons=reasons,
                           lead="Someone saved these details after you opened the form; nothing was saved")
    if "ni_number" in values:
        values["ni_number"] = ni_number_normalised(values["ni_number"])
        if values["ni_number"] and not ni_number_is_valid(values["ni_number"]):
            raise ServiceError("An NI number is two letters, six digits and A, B, C or D, e.g. AB 12 34 56 C.",
                               field="ni_number")
    if values.get("preferred_contact") and values["preferred_contact"] not in ContactPreference.values:
        raise ServiceError("Choose how the young person would like to be contacted.", field="preferred_contact")
    for key in ("phone", "email", "first_language", "religion", "immigration_status", "uasc_details"):
        if key in values:
            values[key] = (values[key] or "").strip()
    changed = {k: v for k, v in values.items() if getattr(young_person, k) != v}
    if not changed:
        return young_person
    for key, value in changed.items():
        setattr(young_person, key, value)
    young_person.save()  # save(), not update(): the change is versioned
    audit_record(kind=AuditKind.DETAILS_UPDATED, actor=actor, young_person=young_person, obj=young_person,
                 changed=sorted(changed))
    return young_person


def check_period_dates(*, young_person: YoungPerson, start: dt.date, end: dt.date | None, today: dt.date,
                       what: str) -> None:
    """A period starts no later than today, ends after it starts and not in the future, and does not start more
    than a year before the 16th birthday (a typing mistake)."""
    if start > today:
        raise ServiceError(f"The start of the {what} cannot be in the future (today is {british(today)}).", field="start")
    earliest = birthday(young_person.date_of_birth, 15)
    if start < earliest:
        raise ServiceError(f"{british(start)} is more than a year before {young_person.name}'s 16th birthday. "
                           "Check the date.", field="start")
    if end is not None and end <= start:
        raise ServiceError(f"The end of the {what} must be after its start ({british(start)}).", field="end")
    if end is not None and end > today:
        raise ServiceError(f"The end of the {what} cannot be in the future (today is {british(today)}).", field="end")


def period_to_close(periods, *, start: dt.date, end: dt.date | None, what: str):
    """Where a new period from `start` to `end` (None: still going) fits among `periods` (locked rows of one
    young person). A new current period after the start of the current one is a move: the current one is
    returned, to be closed on `start`. Any other overlap is refused, naming the period it overlaps."""
    to_close = None
    for period in periods:
        overlaps = start < (period.end or dt.date.max) and period.start < (end or dt.date.max)
        if not overlaps:
            continue
        if period.end is None and end is None and period.start < start:
            to_close = period
            continue
        until = f"to {british(period.end)}" if period.end else "with no end (the current one)"
        raise ServiceError(f"This overlaps the {what} recorded from {british(period.start)} {until}. "
                           "Periods cannot overlap: check the dates.", field="start")
    return to_close


@transaction.atomic
def address_record(*, young_person: YoungPerson, actor: Staff, address: str, start: dt.date, end: dt.date | None = None,
                   today: dt.date | None = None) -> AddressPeriod:
    """Item 2: an address from a date (a move: the current address ends that day) or a past one with its end.
    YoungPerson.address is kept as the current address (the S2 letter and the T9 card list read it)."""
    today = today or timezone.localdate()
    check_can_record(actor=actor, young_person=young_person, permission="careleavers.edit_details",
                     message=DETAILS_REFUSAL)
    young_person = YoungPerson.objects.select_for_update().get(pk=young_person.pk)
    address = (address or "").strip()
    if not address:
        raise ServiceError("Give the address.", field="address")
    check_period_dates(young_person=young_person, start=start, end=end, today=today, what="address")
    periods = list(AddressPeriod.objects.select_for_update().filter(young_person=young_person))
    closing = period_to_close(periods, start=start, end=end, what="address")
    if closing is not None:
        closing.end = start
        closing.save()
    period = AddressPeriod.objects.create(young_person=young_person, address=address, start=start, end=end,
                                          recorded_by=actor)
    current = next((p for p in [*periods, period] if p.end is None), None)
    if current is not None and current.address != young_person.address:
        young_person.address = current.address
        young_person.save()
    audit_record(kind=AuditKind.ADDRESS_RECORDED, actor=actor, young_person=young_person, obj=period, start=start,
                 end=end, closed=closing.pk if closing else None)
    return period


@transaction.atomic
def professional_add(*, young_person: YoungPerson, actor: Staff, role: str, name: str, organisation: str = "",
                     phone: str = "", email: str = "", notes: str = "") -> KeyProfessional:
    """Item 2: the GP, the lead social worker or another key professional, with their contact details."""
    check_can_record(actor=actor, young_person=young_person, permission="careleavers.edit_details",
                     message=DETAILS_REFUSAL)
    if role not in ProfessionalRole.values:
        raise ServiceError("Choose the professional's role.", field="role")
    name = (name or "").strip()
    if not name:
        raise ServiceError("Give the professional's name.", field="name")
    professional = KeyProfessional.objects.create(
        young_person=young_person, role=role, name=name[:200], organisation=(organisation or "").strip()[:200],
        phone=(phone or "").strip()[:40], email=(email or "").strip(), notes=(notes or "").strip()[:500],
        recorded_by=actor)
    audit_record(kind=AuditKind.PROFESSIONAL_ADDED, actor=actor, young_person=young_person, obj=professional,
                 role=role, name=professional.name)
    return professional


@transaction.atomic
def professional_end(*, professional: KeyProfessional, actor: Staff, ended_on: dt.date,
                     today: dt.date | None = None) -> KeyProfessional:
    """Item 2: the professional is no longer involved from a date; the row is kept."""
    today = today or timezone.localdate()
    professional = KeyProfessional.objects.select_for_update(of=("self",)).select_related("young_person").get(pk=professional.pk)
    check_can_record(actor=actor, young_person=professional.young_person, permission="careleavers.edit_details",
                     message=DETAILS_REFUSAL)
    if professional.ended_on is not None:
        raise InvalidState(f"{professional.name} is already recorded as no longer involved.", field="ended_on")
    if ended_on > today:
        raise ServiceError(f"The date cannot be in the future (today is {british(today)}).", field="ended_on")
    if ended_on < professional.created_at.date() - dt.timedelta(days=366):
        raise ServiceError(f"{british(ended_on)} is more than a year before they were recorded. Check the date.",
                           field="ended_on")
    professional.ended_on = ended_on
    professional.save()
    audit_record(kind=AuditKind.PROFESSIONAL_ENDED, actor=actor, young_person=professional.young_person,
                 obj=professional, ended_on=ended_on)
    return professional


@transaction.atomic
def activity_record(*, young_person: YoungPerson, actor: Staff, code: str, start: dt.date, end: dt.date | None = None,
                    provider: str = "", today: dt.date | None = None) -> ActivityPeriod:
    """Item 4: education, employment or training as the 903 activity code, from a date (the current activity
    ends that day) or a past one with its end. The returns read the activity in force on their day."""
    today = today or timezone.localdate()
    check_can_record(actor=actor, young_person=young_person, permission="careleavers.record_activity")
    young_person = YoungPerson.objects.select_for_update().get(pk=young_person.pk)
    if code not in ACTIVITY or code == "0":
        raise ServiceError("Choose the activity.", field="code")
    check_period_dates(young_person=young_person, start=start, end=end, today=today, what="activity")
    periods = list(ActivityPeriod.objects.select_for_update().filter(young_person=young_person))
    closing = period_to_close(periods, start=start, end=end, what="activity")
    if closing is not None:
        closing.end = start
        closing.save()
    period = ActivityPeriod.objects.create(young_person=young_person, code=code, provider=(provider or "").strip()[:200],
                                           start=start, end=end, recorded_by=actor)
    audit_record(kind=AuditKind.ACTIVITY_RECORDED, actor=actor, young_person=young_person, obj=period, code=code,
                 start=start, end=end, closed=closing.pk if closing else None)
    case_note_add(young_person=young_person, author=actor,
                  subject=f"Education, employment or training: {ACTIVITY[code]} from {british(start)}"[:200],
                  text=(f"Provider: {period.provider}." if period.provider else "No provider recorded.")
                  + (f" Ended {british(end)}." if end else ""))
    return period
