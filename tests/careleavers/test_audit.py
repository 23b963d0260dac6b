"""Every careleavers service writes its audit event in its own transaction (core.audit)."""

import datetime as dt

import pytest

from careleavers import services
from careleavers.models import AbsenceReason, CaseNoteKind, Notification
from core.errors import NotAllowed
from core.models import AuditEvent, AuditKind
from tests.careleavers.helpers import today, young_person

pytestmark = pytest.mark.django_db


def test_case_note_add_writes_case_note_added(alice):
    yp = young_person(alice)
    note = services.case_note_add(young_person=yp, author=alice, subject="Phoned", text="No answer",
                                  kind=CaseNoteKind.GENERAL)
    event = AuditEvent.objects.get(kind=AuditKind.CASE_NOTE_ADDED)
    assert (event.actor, event.young_person, event.object_type, event.object_id) == (
        alice, yp, "careleavers.casenote", str(note.pk))
    assert event.data == {"note_kind": CaseNoteKind.GENERAL, "subject": "Phoned"}


def test_v5_absence_add_writes_absence_planned(alice):
    start = today() + dt.timedelta(days=3)
    absence = services.absence_add(staff=alice, actor=alice, start=start, end=start + dt.timedelta(days=2),
                                   reason=AbsenceReason.TRAINING)
    event = AuditEvent.objects.get(kind=AuditKind.ABSENCE_PLANNED)
    assert (event.actor, event.object_id) == (alice, str(absence.pk))
    assert event.data["reason"] == AbsenceReason.TRAINING
    assert event.data["start"] == start.isoformat()


def test_v5_refused_absence_writes_no_event(alice, charlie):
    with pytest.raises(NotAllowed, match="only plan your own"):
        services.absence_add(staff=alice, actor=charlie, start=today(), end=today(), reason=AbsenceReason.FLEXI)
    assert not AuditEvent.objects.exists()


def test_notification_mark_read_writes_notifications_read_with_the_count(alice):
    for n in range(2):
        Notification.objects.create(recipient=alice, kind="x", message=f"n{n}")
    assert services.notification_mark_read(actor=alice) == 2
    event = AuditEvent.objects.get(kind=AuditKind.NOTIFICATIONS_READ)
    assert event.actor == alice
    assert event.data == {"count": 2, "notification_id": None}
    assert services.notification_mark_read(actor=alice) == 0  # nothing changed: no second event
    assert AuditEvent.objects.filter(kind=AuditKind.NOTIFICATIONS_READ).count() == 1
