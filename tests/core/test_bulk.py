"""Issue 16: core.bulk.insert_rows writes the rows bulk_create would (values, defaults, JSON through the field's
encoder, the time for auto_now_add), in the rows' order, in one statement, on PostgreSQL and SQLite."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from careleavers.models import CaseNote, CaseNoteKind
from core import bulk
from core.bulk import insert_rows
from core.models import AuditEvent, AuditKind
from tests.factories import YoungPersonFactory
from tests.services import require

pytestmark = pytest.mark.django_db


def test_rows_are_written_as_bulk_create_writes_them_in_their_order(django_assert_num_queries):
    people = [YoungPersonFactory() for _ in range(3)]
    data = [{"on": dt.date(2026, 3, 1), "n": i, "text": "it's \"quoted\", 100%"} for i in range(3)]
    before = timezone.now()
    with django_assert_num_queries(1):
        ids = insert_rows(AuditEvent, ("kind", "young_person_id", "object_id", "data"),
                          [(AuditKind.CASE_NOTE_ADDED, yp.pk, str(i), data[i]) for i, yp in enumerate(people)],
                          constants={"actor_id": None, "object_type": "careleavers.casenote"}, returning=True)
    events = list(AuditEvent.objects.filter(pk__in=ids).order_by("pk"))
    assert [e.pk for e in events] == ids == sorted(ids)
    assert [(e.young_person_id, e.object_id, e.object_type, e.actor_id) for e in events] == [
        (yp.pk, str(i), "careleavers.casenote", None) for i, yp in enumerate(people)]
    # the JSON as the ORM stores it (DjangoJSONEncoder: a date as ISO text)
    assert [e.data for e in events] == [{**d, "on": "2026-03-01"} for d in data]
    assert all(before <= e.at <= timezone.now() for e in events)  # the field's default


def test_defaults_and_auto_now_add_are_filled_in():
    yp = YoungPersonFactory()
    (pk,) = insert_rows(CaseNote, ("young_person_id", "text", "subject"), [(yp.pk, "Body", "Subject")],
                        constants={"author_id": None, "kind": CaseNoteKind.ARRANGEMENT}, returning=True)
    note = CaseNote.objects.get(pk=pk)
    assert (note.version, note.restricted, note.corrects_id, note.original_id, note.correction_reason) == (
        1, False, None, None, "")
    assert note.created_at is not None and note.kind == CaseNoteKind.ARRANGEMENT


def test_no_rows_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert insert_rows(CaseNote, ("young_person_id",), [], returning=True) == []


def test_each_id_returned_is_its_rows():
    people = [YoungPersonFactory() for _ in range(5)]
    rows = [(AuditKind.CASE_NOTE_ADDED, yp.pk, f"row {i}", {"i": i}) for i, yp in enumerate(people)]
    ids = insert_rows(AuditEvent, ("kind", "young_person_id", "object_id", "data"), rows,
                      constants={"actor_id": None, "object_type": "careleavers.casenote"}, returning=True)
    written = dict(AuditEvent.objects.filter(pk__in=ids).values_list("pk", "object_id"))
    assert [written[pk] for pk in ids] == [f"row {i}" for i in range(5)]


def test_postgresql_and_bulk_create_write_the_same_rows(monkeypatch):
    """Both ways of insert_rows run on PostgreSQL, on the same rows, and compared column by column (but the ids)."""
    require(connection.vendor == "postgresql", "PostgreSQL")
    people = [YoungPersonFactory() for _ in range(3)]
    events = [(AuditKind.CASE_NOTE_ADDED, yp.pk, str(i), {"on": dt.date(2026, 3, 1), "n": i, "text": "it's 100%"})
              for i, yp in enumerate(people)]
    notes = [(yp.pk, f"Body {i}\nwith a line", "Subject") for i, yp in enumerate(people)]
    written = {}
    for set_based in (True, False):
        monkeypatch.setattr(bulk, "_set_based", lambda set_based=set_based: set_based)
        with time_machine.travel(dt.datetime(2026, 3, 1, 3, 15, tzinfo=dt.UTC), tick=False):
            event_ids = insert_rows(AuditEvent, ("kind", "young_person_id", "object_id", "data"), events,
                                    constants={"actor_id": None, "object_type": "careleavers.casenote"}, returning=True)
            note_ids = insert_rows(CaseNote, ("young_person_id", "text", "subject"), notes,
                                   constants={"author_id": None, "kind": CaseNoteKind.ARRANGEMENT}, returning=True)
        written[set_based] = [
            [{k: v for k, v in row.items() if k != "id"} for row in AuditEvent.objects.filter(pk__in=event_ids)
             .order_by("pk").values()],
            [{k: v for k, v in row.items() if k != "id"} for row in CaseNote.objects.filter(pk__in=note_ids)
             .order_by("pk").values()],
        ]
    assert written[True] == written[False]
    assert [e["object_id"] for e in written[True][0]] == ["0", "1", "2"]
