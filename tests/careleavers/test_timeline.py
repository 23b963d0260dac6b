"""The young person's timeline and history, composed from each app's registered sources."""

import ast
from pathlib import Path

import pytest

from careleavers.models import CaseNote
from casework import timeline
from casework.timeline import history_for, timeline_for
from contacts.models import Escalation
from tests.careleavers.helpers import today, young_person
from tests.factories import ArrangementFactory, ContactFactory, EventFactory, SignedOffPlanFactory

pytestmark = pytest.mark.django_db


def test_entries_of_one_day_keep_the_order_of_kinds(alice):
    yp = young_person(alice)
    on = today()
    ContactFactory(young_person=yp, date=on, recorded_by=alice)
    EventFactory(young_person=yp, date=on, kind="significant_change")
    Escalation.objects.create(young_person=yp, step="letter", date=on, recorded_by=alice)
    SignedOffPlanFactory(young_person=yp, review_date=on)
    ArrangementFactory(young_person=yp, active_from=on)
    CaseNote.objects.create(young_person=yp, subject="Called the college", text="x", author=alice)
    entries = timeline_for(yp)
    assert [e.kind for e in entries] == ["contact", "event", "escalation", "plan", "arrangement", "note"]
    assert [e.kind_label for e in entries] == ["Contact", "Event", "Escalation", "Pathway plan", "Arrangement", "Case note"]
    assert entries[0].by == alice.name


def test_history_includes_the_contacts_versions(alice):
    yp = young_person(alice)
    ContactFactory(young_person=yp, date=today())
    records = {v.record for v in history_for(yp)}
    assert "Young person's details" in records
    assert any(r.startswith("Contact of ") for r in records)


def test_casework_timeline_imports_no_model_of_the_apps_that_provide_entries():
    tree = ast.parse(Path(timeline.__file__).read_text())
    imported = {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not imported & {"contacts", "approvals", "pathway"}
