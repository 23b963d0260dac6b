"""core.prepared_models (issue 16): the young person's page's model reads compiled once per process give the
instances the querysets give: every field, each select_related object, each annotation, each prefetched list."""

import datetime as dt

import pytest
from django.db import connection

from approvals.models import ArrangementDecision, ArrangementState
from approvals.selectors import prepared_arrangements
from careleavers.models import CaseNote, Event, Flag, PlannedAbsence
from careleavers.selectors import _prepared_timeline_notes, _prepared_young_person, prepared_active_flags
from casework.notes import _prepared_panel_notes
from casework.timeline import prepared_events
from casework.young_person_reads import (
    prepared_absences,
    prepared_active_pack,
    prepared_requirements,
    requirements_of,
)
from compliance.engine import recompute_young_person
from contacts.models import ContactCorrection, Escalation, InTouchCheck, VisitCheck
from contacts.timeline import prepared_contacts, prepared_escalations
from core.prepared import INT
from core.prepared_models import PreparedModels
from pathway.selectors import prepared_plans
from returns.selectors import _prepared_checks
from tests.careleavers.helpers import days_ago, young_person
from tests.factories import ArrangementFactory, ContactFactory, SignedOffPlanFactory

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared only on PostgreSQL")


def _state(obj, path=()) -> tuple:
    """An instance as the page reads it: its values, its cached related objects and its prefetched lists (an object
    met again on the way, as a visit checklist's contact, by its class and key)."""
    if any(seen is obj for seen in path):
        return type(obj), obj.pk
    path = (*path, obj)
    values = {k: v for k, v in vars(obj).items() if k not in ("_state", "_prefetched_objects_cache")}
    related = {name: None if rel is None else _state(rel, path)
               for name, rel in obj._state.fields_cache.items() if name != "young_person"}  # noqa: SLF001
    prefetched = {name: [_state(o, path) for o in found]
                  for name, found in getattr(obj, "_prefetched_objects_cache", {}).items()}
    return type(obj), values, related, prefetched


@pytest.fixture
def record(alice, tess):
    yp = young_person(alice, allocated_days_ago=400)
    first = ContactFactory(young_person=yp, date=days_ago(30), recorded_by=alice, time=dt.time(9, 5))
    ContactFactory(young_person=yp, date=days_ago(20), recorded_by=None, note="a\nb")
    VisitCheck.objects.create(contact=first, health_and_safety="good", furnishings_and_kitchen="poor",
                              occupancy="good", trend="same", overall_suitability="unsuitable")
    ContactCorrection.objects.create(contact=first, version=2, reason="Wrong date", corrected_by=alice)
    Event.objects.create(young_person=yp, kind="significant_change", date=days_ago(10), recorded_by=alice)
    Escalation.objects.create(young_person=yp, step="letter", date=days_ago(5), recorded_by=alice)
    SignedOffPlanFactory(young_person=yp, version=1, signed_off_by=tess)
    SignedOffPlanFactory(young_person=yp, version=2, signed_off_by=None)
    active = ArrangementFactory(young_person=yp, requested_by=alice)
    ArrangementDecision.objects.create(arrangement=active, step="team_leader", decision="approved", actor=tess)
    ArrangementFactory(young_person=yp, state=ArrangementState.WITHDRAWN, requested_by=alice)
    PlannedAbsence.objects.create(staff=alice, start=days_ago(-3), end=days_ago(-10), reason="training")
    Flag.objects.create(young_person=yp, kind="hazard", reason="Dog", set_on=days_ago(3), set_by=tess)
    for restricted in (False, True):
        CaseNote.objects.create(young_person=yp, subject=f"note {restricted}", text="x", author=alice,
                                restricted=restricted)
    InTouchCheck.objects.create(young_person=yp, date=days_ago(2), in_touch="YES", activity="F1", accommodation="U1",
                                recorded_by=alice)
    recompute_young_person(yp)
    return yp


def _reads(yp, today):
    """Each prepared read with its values, and the queryset it stands for, as the page's callers use them."""
    limit = 201
    return [
        (prepared_contacts(limit), {"young_person_id": yp.pk}, {"young_person": yp}),
        (prepared_escalations(limit), {"young_person_id": yp.pk}, {}),
        (prepared_events(limit), {"young_person_id": yp.pk}, {"young_person": yp}),
        (prepared_plans(), {"young_person_id": yp.pk}, {"young_person": yp}),
        (prepared_arrangements(), {"young_person_id": yp.pk}, {"young_person": yp}),
        (prepared_requirements(), {"young_person_id": yp.pk, "today": today}, {"young_person": yp}),
        (prepared_absences(), {"staff_id": yp.pa_id, "today": today}, {}),
        (prepared_active_pack(), {}, {}),
        (prepared_active_flags(), {"young_person_id": yp.pk}, {}),
        (_prepared_checks(), {"young_person_id": yp.pk}, {}),
        (_prepared_panel_notes(restricted_too=False), {"young_person_id": yp.pk}, {}),
        (_prepared_panel_notes(restricted_too=True), {"young_person_id": yp.pk}, {}),
        *[(_prepared_timeline_notes(limit=limit, with_versions=versions, restricted_too=restricted),
           {"young_person_id": yp.pk}, {}) for versions in (False, True) for restricted in (False, True)],
        (_prepared_young_person("service"), {"pk": yp.pk}, {}),
        (_prepared_young_person("team"), {"pk": yp.pk, "key": yp.pa.team_id}, {}),
        (_prepared_young_person("pa"), {"pk": yp.pk, "key": yp.pa_id, "today": today}, {}),
    ]


def test_the_prepared_reads_give_the_querysets_instances(record, alice):
    today = dt.date.today()
    for prepared, values, known in _reads(record, today):
        expected = list(prepared.build(**values))
        for obj in expected:
            for name, instance in known.items():
                setattr(obj, name, instance)
        found = prepared.objects(**values, known=known)
        assert expected, prepared.build  # each read has rows to compare
        assert [_state(o) for o in found] == [_state(o) for o in expected]
        assert all(o.young_person is record for o in found if known)
    contact = prepared_contacts(201).objects(young_person_id=record.pk)[-1]
    assert contact.visit_check.overall_suitability == "unsuitable" and contact.corrections_count == 1
    assert contact.recorded_by_name == alice.name
    statuses = {r.code: r.status for r in requirements_of(young_person=record, today=today)}
    assert statuses and set(statuses.values()) <= {"ok", "due_soon", "overdue"}


@on_postgresql
def test_the_prepared_reads_are_compiled_once_and_send_one_query_each(record, tess, django_assert_num_queries):
    today = dt.date.today()
    for prepared, values, known in _reads(record, today):
        prepared.objects(**values, known=known)
        assert "default" in prepared._compiled  # noqa: SLF001  (compiled once, kept per database alias)
    arrangements, values, _known = _reads(record, today)[4]
    with django_assert_num_queries(3):  # the arrangements / their decisions with the actors / their checklists
        found = arrangements.objects(**values)
        assert tess.name in [d.actor.name for d in found[-1].decisions.all()]


@on_postgresql
def test_a_values_query_is_not_built_as_instances(alice):
    prepared = PreparedModels(lambda young_person_id: Event.objects.filter(young_person_id=young_person_id)
                              .values_list("pk"), young_person_id=INT)
    with pytest.raises(TypeError):
        prepared.objects(young_person_id=1)


def test_the_young_person_read_keeps_the_visibility_rule(alice, tess, charlie):
    """careleavers.selectors.young_person_for reads through a query compiled per kind of visibility: a PA and a Team
    Leader still get a 404 for another team's young person, and the young person with their PA otherwise."""
    from django.http import Http404

    from careleavers.selectors import young_person_for

    mine, theirs = young_person(alice, recompute=False), young_person(charlie, recompute=False)
    for reader in (alice, tess):
        found = young_person_for(reader.user, pk=mine.pk)
        assert found == mine and found.pa.team.name == alice.team.name
        with pytest.raises(Http404):
            young_person_for(reader.user, pk=theirs.pk)
    assert young_person_for(charlie.user, pk=theirs.pk) == theirs


def test_the_panels_rows_read_together_are_each_reads_rows(alice, tess):
    """casework.young_person_reads.casework_rows (core.prepared_models.Together): the seven reads of the case, case
    record and documents panels and the allocation history in one query give each read's own rows (dates, names,
    flags, the documents' count of earlier versions), in each read's order, and nothing of another young person."""
    from careleavers.models import (
        AccommodationPeriod,
        ActivityPeriod,
        Allocation,
        CaseClosure,
        Cover,
        Document,
        KeyProfessional,
    )
    from casework.young_person_reads import CASEWORK_READS, casework_rows, together

    today = dt.date.today()
    yp, other = young_person(alice, recompute=False), young_person(alice, recompute=False)
    for person in (yp, other):
        Allocation.objects.create(young_person=person, pa=tess, start=days_ago(300), end=days_ago(200), reason="A & B")
        Cover.objects.create(young_person=person, pa=tess, start=days_ago(1), end=days_ago(-9), reason="Leave")
        Cover.objects.create(young_person=person, pa=alice, start=days_ago(-20), end=days_ago(-30), reason="")
        CaseClosure.objects.create(young_person=person, closed_on=days_ago(90), reason="moved_away", details="<x>",
                                   closed_by=tess, reopened_on=days_ago(60), reopened_by=alice, reopen_reason="Back")
        AccommodationPeriod.objects.create(young_person=person, code="C", start=days_ago(50), suitable=False,
                                           unsuitable_reason="Damp")
        ActivityPeriod.objects.create(young_person=person, code="F1", provider="College", start=days_ago(40))
        KeyProfessional.objects.create(young_person=person, role="gp", name="Dr Who", organisation="NHS")
        KeyProfessional.objects.create(young_person=person, role="gp", name="Dr No")
        first = None
        for title in ("Letter", "Letter v2"):
            first = Document.objects.create(
                young_person=person, file="documents/x.pdf", stored_as="x", original_name="x.pdf",
                content_type="application/pdf", size=3, sha256="0" * 64, uploaded_by=alice, kind="letter",
                title=title, dated=days_ago(10), supersedes=first)
    found = casework_rows(young_person=yp, today=today)
    values = [{"young_person_id": yp.pk} | ({"today": today} if "today" in one.kinds else {})
              for one in together().prepared]
    alone = [one.rows(**v) for one, v in zip(together().prepared, values, strict=True)]
    assert [found[name] for name in CASEWORK_READS] == alone
    assert all(found[name] for name in CASEWORK_READS)  # every read has a row to compare
    assert found["documents"][0][1:] == ("Letter v2", "letter", days_ago(10), found["documents"][0][4], 1)
    assert found["accommodation"] == [("C", days_ago(50), False, "Damp")]
    assert len(found["covers"]) == 2 and found["covers"][0][1] == days_ago(1)  # by start, each its own
