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
