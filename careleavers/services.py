"""Writes to case records (STYLE 2): keyword-only, one transaction, audit row included."""

import datetime as dt
from functools import partial

import rules
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import audit_record
from core.dates import birthday, british
from core.errors import InvalidState, NotAllowed, ServiceError
from core.models import AuditKind

from .models import (
    AbsenceReason,
    CardKind,
    CardSent,
    CaseNote,
    CaseNoteKind,
    LegalStatus,
    Notification,
    PlannedAbsence,
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
        raise NotAllowed("Cards from the duty admin are for section 24 young people without a PA service (T9).")
    if kind not in CardKind.values:
        raise ServiceError("Choose the card sent.", field="kind")
    if date > today:
        raise ServiceError(f"The date the card was sent cannot be in the future (today is {british(today)}).", field="date")
    if date < today - dt.timedelta(days=CARD_DATE_WINDOW_DAYS):
        raise ServiceError(f"{british(date)} is more than two months ago. Check the date.", field="date")
    card = CardSent.objects.create(young_person=young_person, kind=kind, date=date, sent_by=actor)
    audit_record(kind=AuditKind.CARD_SENT, actor=actor, young_person=young_person, obj=card, card_kind=kind, date=date)
    return card

