"""Issue 16, item 4: import_cases at council scale keeps its promises when it writes in bulk: atomic (a bad
row at the end, or a failure after some chunks were written, leaves nothing), idempotent (an unchanged
second import writes nothing and says so), versioned (history rows as save() wrote them), and a progress
bar on a terminal only. Timings are in bench_import, not here."""

import copy
import datetime as dt
import io
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from careleavers.models import Allocation, YoungPerson
from compliance.models import Requirement
from compliance.selectors import report_rows
from contacts.models import Contact, Method, Outcome, Purpose, With
from core.models import AuditEvent
from demo.bench_import import council_bundle
from interface import bundle as bundle_module
from interface.bulk import create_rows_with_history, create_with_history
from interface.bundle import BundleError, import_bundle
from pathway.models import PathwayPlan
from tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db

WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def _bundle(young_people=7, contacts=140):
    return council_bundle(young_people=young_people, contacts=contacts, seed=3)


def _counts():
    return (YoungPerson.objects.count(), YoungPerson.history.count(), Contact.objects.count(),
            Contact.history.count(), PathwayPlan.objects.count(), Requirement.objects.count())


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(bundle_module, "CHUNK", 3)  # 7 young people: three chunks


def test_a_bad_row_at_the_end_imports_nothing(small_chunks):
    data = _bundle()
    data["young_people"][-1]["contacts"][-1]["date"] = "31/12/2025"
    with pytest.raises(BundleError) as raised:
        import_bundle(data)
    last = len(data["young_people"][6]["contacts"]) - 1
    assert raised.value.problems == [f"young_people[6].contacts[{last}].date: not a date (expected YYYY-MM-DD)"]
    assert _counts() == (0, 0, 0, 0, 0, 0)
    assert not AuditEvent.objects.exists()


def test_a_failure_after_chunks_were_written_leaves_nothing(small_chunks, monkeypatch):
    calls = []
    real = bundle_module._apply_young_people  # noqa: SLF001

    def fail_on_the_last_chunk(summary, records, staff):
        calls.append(len(records))
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return real(summary, records, staff)

    monkeypatch.setattr(bundle_module, "_apply_young_people", fail_on_the_last_chunk)
    with pytest.raises(RuntimeError):
        import_bundle(_bundle())
    assert calls == [3, 3, 1]
    assert _counts() == (0, 0, 0, 0, 0, 0)


def test_chunks_import_everything_with_history_as_save_wrote_it(small_chunks):
    data = _bundle()
    summary = import_bundle(data)
    contacts = sum(len(p["contacts"]) for p in data["young_people"])
    assert summary.created["young people"] == 7 and summary.created["contacts"] == contacts == 140
    assert YoungPerson.objects.count() == YoungPerson.history.filter(history_type="+").count() == 7
    assert Contact.objects.count() == Contact.history.filter(history_type="+").count() == 140
    first = Contact.objects.order_by("id").first()
    row = Contact.history.get(id=first.id)
    assert (row.date, row.method, row.outcome, row.note) == (first.date, first.method, first.outcome, first.note)
    person = YoungPerson.objects.get(ref="BI-000000")
    assert person.birthday_16 is not None  # what save() derives, derived in bulk too
    assert Requirement.objects.filter(young_person=person).exists()  # one recompute at the end covers every chunk


def test_the_same_bundle_twice_writes_nothing_and_says_so(small_chunks):
    data = _bundle()
    import_bundle(data)
    before = _counts()
    report = report_rows(timezone.localdate())
    with CaptureQueriesContext(connection) as queries:
        summary = import_bundle(_bundle())
    writes = [q["sql"] for q in queries.captured_queries if WRITES.match(q["sql"])]
    # No record is written: only the audit event (cases.imported), and the recompute's set-based statements on
    # its scratch table and derived rows, which change none (the counts and the report below are the same).
    assert writes and all(re.search(r"core_auditevent|compliance_result|compliance_requirement", sql)
                          for sql in writes), writes
    assert sum("core_auditevent" in sql for sql in writes) == 1
    assert summary.lines() == ["Nothing to change: the bundle matches what is already recorded."]
    assert _counts() == before
    assert report_rows(timezone.localdate()) == report
    assert AuditEvent.objects.filter(kind="cases.imported").count() == 2


def test_a_changed_contact_and_name_are_updated_in_bulk_and_versioned(small_chunks):
    data = _bundle()
    import_bundle(data)
    changed = _bundle()
    changed["young_people"][4]["name"] = "A New Name"
    contact = changed["young_people"][5]["contacts"][0]
    contact["outcome"] = "declined" if contact["outcome"] != "declined" else "completed"
    summary = import_bundle(changed)
    assert summary.updated["young people"] == 1 and summary.updated["contacts"] == 1
    assert summary.created == {}
    person = YoungPerson.objects.get(ref="BI-000004")
    assert person.name == "A New Name"
    assert [h.history_type for h in person.history.order_by("history_id")] == ["+", "~"]
    assert Contact.history.filter(history_type="~").count() == 1


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def _write(tmp_path):
    path = tmp_path / "council.json"
    path.write_text(json.dumps(_bundle()), encoding="utf-8")
    return str(path)


def test_a_progress_bar_on_a_terminal(tmp_path, small_chunks):
    out, err = io.StringIO(), _Terminal()
    call_command("import_cases", _write(tmp_path), stdout=out, stderr=err)
    drawn = err.getvalue()
    assert "\rimporting [" in drawn and "7/7 young people" in drawn and "\rchecking" in drawn
    assert drawn.endswith("\n")
    assert "young people: 7 created, 0 updated" in out.getvalue()
    assert "\r" not in out.getvalue()


def test_quiet_when_not_on_a_terminal(tmp_path, small_chunks):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_cases", _write(tmp_path), stdout=out, stderr=err)
    assert err.getvalue() == ""
    assert "young people: 7 created, 0 updated" in out.getvalue()


def test_contacts_written_from_their_values_are_the_rows_instances_write(db, alice):
    """Issue 16, item 4: new contacts go in from the parsed values, without a model instance each (COPY on
    PostgreSQL); the records and their "+" history rows are those of create_with_history with instances."""
    yp = YoungPersonFactory(pa=alice)
    values = [{"young_person_id": yp.pk, "date": dt.date(2026, 1, 1 + i), "method": "home_visit",
               "with_whom": "young_person", "note": "Imported from case bundle", "outcome": "completed", "purpose": ""}
              for i in range(3)]
    create_with_history(Contact, [Contact(**row) for row in values])
    create_rows_with_history(Contact, [dict(row) for row in values])
    skip = {"id", "created_at"}

    def shape(rows):
        return sorted(tuple((k, v) for k, v in row.items() if k not in skip) for row in rows)

    by_instances, by_values = Contact.objects.order_by("id").values()[:3], Contact.objects.order_by("id").values()[3:]
    assert shape(by_instances) == shape(by_values) and len(by_values) == 3
    history = list(Contact.history.order_by("history_id").values())
    assert {row["history_type"] for row in history} == {"+"} and len(history) == 6
    skip |= {"history_id", "history_date"}
    assert shape(history[:3]) == shape(history[3:])
    assert all(row["created_at"] is not None for row in by_values)


def test_a_new_pa_closes_the_open_allocation_before_opening_the_new_one(small_chunks):
    """Issue 16, item 4: in bulk, the open allocation is closed before the new PA's is written (one open allocation
    per young person is a database constraint); the first allocation keeps its history with the change."""
    import_bundle(_bundle())
    changed = _bundle()
    changed["staff"].append({"ref": "bi-pa-new", "name": "New Adviser", "role": "pa", "team": "bi-team-0"})
    changed["young_people"][4]["pa"] = "bi-pa-new"
    summary = import_bundle(changed)
    assert summary.created == {"staff": 1, "allocations": 1} and summary.updated == {"young people": 1}
    today = timezone.localdate()
    person = YoungPerson.objects.get(ref="BI-000004")
    allocations = Allocation.objects.filter(young_person=person).order_by("id")
    assert [(a.pa.ref, a.start == today, a.end) for a in allocations] == [("bi-pa-0", False, today), ("bi-pa-new", True, None)]
    assert person.pa.ref == "bi-pa-new"
    assert [h.history_type for h in allocations[0].history.order_by("history_id")] == ["+", "~"]
    assert Allocation.objects.filter(end__isnull=True).count() == 7


CONTACTS = [
    {"date": "2026-01-05", "method": "home_visit", "with": "young_person", "outcome": "completed"},
    {"date": "2026-01-05", "method": "letter", "with": "family", "outcome": "no_response", "purpose": "kit_offer"},
    {"date": "2026-01-05", "method": "phone", "with": "young_person", "outcome": "declined", "purpose": ""},
    {"date": "2026-01-05", "method": "phone", "with": "young_person", "outcome": "declined", "purpose": None},
    {"date": "2026-01-05", "method": "phone", "with": "young_person", "outcome": "declined", "purpose": "kit"},
    {"date": "2026-02-30", "method": "phone", "with": "young_person", "outcome": "completed"},
    {"date": "2026-W01-1", "method": "phone", "with": "young_person", "outcome": "completed"},
    {"date": 20260105, "method": "phone", "with": "young_person", "outcome": "completed"},
    {"date": "2026-01-05", "method": "Phone", "with": "young_person", "outcome": "completed"},
    {"date": "2026-01-05", "method": ["phone"], "with": "young_person", "outcome": "completed"},
    {"date": "2026-01-05", "method": "phone", "with": "", "outcome": "completed"},
    {"date": "2026-01-05", "method": "phone", "with": "young_person", "outcome": None},
    {"date": "2026-01-05", "method": "phone", "with": "young_person"},
    {"date": "2026-01-05", "method": "phone", "with": "young_person", "outcome": "completed", "note": "x"},
    ["2026-01-05", "phone"],
    None,
]


def _by_the_checker(contact):
    """What the checker's primitives make of one contact: (value or None, problems, the input after)."""
    c, k = bundle_module._Checker(), copy.deepcopy(contact)  # noqa: SLF001
    if not c.obj(k, "c", {"date", "method", "with", "outcome"}, {"purpose"}):
        return None, c.problems, k
    value = {"date": c.date(k.get("date"), "c.date"), "method": c.choice(k, "method", "c", Method.values),
             "with": c.choice(k, "with", "c", With.values), "outcome": c.choice(k, "outcome", "c", Outcome.values),
             "purpose": c.choice(k, "purpose", "c", [Purpose.KIT_OFFER]) or ""}
    return value, c.problems, k


@pytest.mark.parametrize("contact", CONTACTS)
def test_the_quick_reading_of_a_contact_is_the_checkers_or_none(contact):
    """Issue 16, item 4: `_valid_contact` reads a plainly valid contact without naming paths: it takes exactly the
    contacts the checker finds no problem in, and makes of them (and of the input) what the checker does."""
    quick_input = copy.deepcopy(contact)
    quick = bundle_module._valid_contact(bundle_module._Checker(), quick_input)  # noqa: SLF001
    value, problems, checked_input = _by_the_checker(contact)
    assert (quick is None) == bool(problems or value is None)
    if quick is not None:
        assert quick == value
        assert quick_input == checked_input  # the same normalisation ("" purpose as absent)


def test_contact_problems_are_reported_with_their_paths_whichever_reading():
    data = council_bundle(young_people=2, contacts=4, seed=3)
    data["young_people"][1]["contacts"] = [copy.deepcopy(c) for c in CONTACTS[4:8]]
    with pytest.raises(BundleError) as refused:
        import_bundle(data)
    assert refused.value.problems == [
        "young_people[1].contacts[0].purpose: 'kit' is not one of kit_offer",
        "young_people[1].contacts[1].date: not a date (expected YYYY-MM-DD)",
        "young_people[1].contacts[2].date: not a date (expected YYYY-MM-DD)",
        "young_people[1].contacts[3].date: not a date (expected YYYY-MM-DD)",
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ANALYZE and planner statistics are PostgreSQL's")
def test_the_tables_a_bundle_filled_are_analyzed_before_the_recompute_and_not_when_nothing_changed(monkeypatch):
    """Issue 16, item 4: the recompute after a first import is planned with statistics of the rows just loaded."""
    monkeypatch.setattr(bundle_module, "ANALYZE_AFTER", 100)
    with CaptureQueriesContext(connection) as first:
        import_bundle(_bundle())  # 140 contacts, 21 pathway reviews
    analyzed = [q["sql"] for q in first.captured_queries if q["sql"].startswith("ANALYZE")]
    assert analyzed == ['ANALYZE "contacts_contact"']
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'contacts_contact'")
        assert cursor.fetchone()[0] > 0
    recompute_at = next(i for i, q in enumerate(first.captured_queries) if "compliance_result" in q["sql"])
    assert first.captured_queries.index(next(q for q in first.captured_queries if q["sql"].startswith("ANALYZE"))) < recompute_at
    with CaptureQueriesContext(connection) as again:
        import_bundle(_bundle())
    assert not [q for q in again.captured_queries if q["sql"].startswith("ANALYZE")]
