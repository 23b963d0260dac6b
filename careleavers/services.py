"""Writes to case records (STYLE 2): keyword-only, one transaction, audit row included."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from .models import CaseNote, CaseNoteKind, Notification, Staff, YoungPerson


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


# --- Events, planned absences and notifications (PA journeys) -------------------------------------


@transaction.atomic
def event_record(*, young_person: YoungPerson, actor: Staff, kind: str, date, notes: str = "", today=None):
    """A custody start, emergency placement, move or other significant change (T6, T7, P1): it can
    pull a due date forward, so the young person's requirements are recomputed at once."""
    from compliance.engine import recompute_young_person
    from contacts.services import FieldError, check_can_record, check_record_date

    from .models import Event, EventKind

    check_can_record(actor=actor, young_person=young_person)
    if kind not in EventKind.values:
        raise FieldError("kind", "Choose what happened.")
    check_record_date(young_person=young_person, date=date, today=today, what="event")
    event = Event.objects.create(young_person=young_person, kind=kind, date=date, notes=notes, recorded_by=actor)
    recompute_young_person(young_person)
    return event


@transaction.atomic
def absence_add(*, staff: Staff, actor: Staff, start, end, reason: str, today=None):
    """A PA's own planned absence (V5): due dates inside it are flagged so visits come forward."""
    from django.utils import timezone

    from contacts.services import FieldError

    from .errors import NotAllowed
    from .models import AbsenceReason, PlannedAbsence

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
    from django.utils import timezone

    unread = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    # Notifications are not audited records, so a bulk update is fine here.
    return unread.update(read_at=timezone.now())
