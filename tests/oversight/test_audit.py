"""Every oversight service writes its audit event in its own transaction (core.audit)."""

import pytest

from core.models import AuditEvent, AuditKind
from oversight.models import NightlyRun
from oversight.services import nightly_run, overdue_update_add

from .conftest import AS_OF, at_noon

pytestmark = pytest.mark.django_db


def test_v4_overdue_update_add_writes_overdue_update_added(service, alice):
    update = overdue_update_add(young_person=service.a3, requirement="visit", reason="Cancelled", plan="Booked",
                                actor=alice, today=AS_OF)
    event = AuditEvent.objects.get(kind=AuditKind.OVERDUE_UPDATE_ADDED)
    assert (event.actor, event.young_person, event.object_id) == (alice, service.a3, str(update.pk))
    assert event.data == {"requirement": "visit", "due": update.due.isoformat(), "version": 1}
    assert AuditEvent.objects.filter(kind=AuditKind.CASE_NOTE_ADDED, young_person=service.a3).count() == 1


def test_o1_nightly_run_writes_one_nightly_run_event_with_its_counts(service):
    with at_noon(AS_OF):
        result = nightly_run(worker="test")
        nightly_run(worker="test")  # the night is done: skipped, no second event
    event = AuditEvent.objects.get(kind=AuditKind.NIGHTLY_RUN)
    assert event.actor is None
    assert event.object_id == str(NightlyRun.objects.get().pk)
    assert event.data == {
        "night": AS_OF.isoformat(), "worker": "test", "attempts": 1, "missed_nights": [], "filled_nights": [],
        "requirements": result.requirements,
        "snapshot_rows": result.snapshot_rows, "alerts_raised": result.alerts_raised,
    }
