"""Writes to case records (STYLE 2): keyword-only, one transaction, audit row included."""

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from core.dates import birthday, british
from core.errors import FieldError, NotAllowed

from .models import AbsenceReason, CaseNote, CaseNoteKind, Notification, PlannedAbsence, Role, Staff, YoungPerson
from .selectors import young_people_visible_to

#: Who may write to a young person's record (a PA on the case, or a manager who can see it).
RECORDING_ROLES = (Role.PA, Role.TEAM_LEADER, Role.SERVICE_LEADER, Role.HEAD_OF_SERVICE)

def check_can_record(*, actor: Staff | None, young_person: YoungPerson) -> None:
    """Same rule as core.rules "careleavers.record_contact"."""
    if actor is None or actor.role not in RECORDING_ROLES:
        raise NotAllowed("Only Personal Advisers and managers can write to a young person's record.")
    if not young_people_visible_to(actor.user).filter(pk=young_person.pk).exists():
        raise NotAllowed("This young person is not on your caseload.")


def check_record_date(*, young_person: YoungPerson, date: dt.date, time: dt.time | None = None,
                      today: dt.date | None = None, field: str = "date", what: str = "contact") -> None:
    """No future dates; a date before allocation, or more than a year before the 16th birthday,
    is almost certainly a typing mistake, so it is refused with a message saying why."""
    today = today or timezone.localdate()
    if date > today:
        raise FieldError(field, f"The date of the {what} cannot be in the future (today is {british(today)}).")
    if time is not None and date == today and time > timezone.localtime().time().replace(second=59):
        raise FieldError("time", f"The time of the {what} cannot be in the future.")
    if date < young_person.allocated_on:
        raise FieldError(
            field,
            f"{british(date)} is before {young_person.name} was allocated to the service "
            f"({british(young_person.allocated_on)}). Check the date.",
        )
    earliest = birthday(young_person.date_of_birth, 15)
    if date < earliest:
        raise FieldError(
            field, f"{british(date)} is more than a year before {young_person.name}'s 16th birthday. Check the date."
        )


def case_note_add(*, young_person: YoungPerson, author: Staff | None, subject: str, text: str,
                  kind: str = CaseNoteKind.GENERAL) -> CaseNote:
    """Case notes are never edited; a correction is another note."""
    return CaseNote.objects.create(young_person=young_person, author=author, subject=subject[:200], text=text, kind=kind)


def notify(*, recipients, kind: str, message: str, url: str = "", young_person: YoungPerson | None = None) -> list[Notification]:
    """In-app notification for each recipient, and an e-mail once the transaction commits."""
    created = []
    for staff in {s.pk: s for s in recipients if s is not None}.values():
        created.append(Notification.objects.create(
            recipient=staff, kind=kind, message=message[:500], url=url, young_person=young_person))
        address = staff.email or getattr(staff.user, "email", "")
        if address:
            transaction.on_commit(
                lambda address=address: send_mail(
                    subject=f"[{settings.SERVICE_NAME}] {message[:120]}",
                    message=f"{message}\n\n{url}",
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    recipient_list=[address],
                    fail_silently=True,
                )
            )
    return created


# --- Planned absences and notifications (PA journeys) -------------------------------------


@transaction.atomic
def absence_add(*, staff: Staff, actor: Staff, start, end, reason: str, today=None):
    """A PA's own planned absence (V5): due dates inside it are flagged so visits come forward."""

    if actor is None or staff.pk != actor.pk:
        raise NotAllowed("You can only plan your own absences.")
    if reason not in AbsenceReason.values:
        raise FieldError("reason", "Choose the reason for the absence.")
    if end < start:
        raise FieldError("end", "The last day of the absence must be on or after the first day.")
    if end < (today or timezone.localdate()):
        raise FieldError("end", "A planned absence must not be over already.")
    if PlannedAbsence.objects.filter(staff=staff, start__lte=end, end__gte=start).exists():
        raise FieldError("start", "This overlaps an absence you have already planned.")
    return PlannedAbsence.objects.create(staff=staff, start=start, end=end, reason=reason)


def notification_mark_read(*, actor: Staff, notification_id: int | None = None) -> int:
    """Mark one of the actor's notifications (or all of them) as read; someone else's is not found."""
    unread = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    # Notifications are not audited records, so a bulk update is fine here.
    return unread.update(read_at=timezone.now())
