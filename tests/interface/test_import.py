"""CONTRACT.md `import_cases`: every problem reported with its JSON path and nothing written (atomic);
the same bundle twice changes nothing (idempotent); a changed contact is updated in place."""

import copy
import io
import json
import os
import pathlib
import subprocess
import sys

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from careleavers.models import YoungPerson
from compliance.selectors import report_rows
from contacts.models import Contact
from interface.bundle import BundleError, import_bundle
from tests.compliance.test_rules import AS_OF

pytestmark = pytest.mark.django_db

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent

GOOD = {
    "pack": "england",
    "teams": [{"ref": "east", "name": "East Team"}],
    "staff": [
        {"ref": "pa-1", "name": "Sam Patel", "role": "pa", "team": "east"},
        {"ref": "tl-1", "name": "Jo Reid", "role": "team_leader", "team": "east"},
    ],
    "absences": [{"staff": "pa-1", "start": "2026-03-02", "end": "2026-03-13", "reason": "annual_leave"}],
    "young_people": [
        {
            "ref": "YP-0001",
            "name": "Jamie Doe",
            "date_of_birth": "2006-04-12",
            "legal_status": "former_relevant",
            "pa": "pa-1",
            "allocated_on": "2025-06-01",
            "circumstance": "standard",
            "extended_support": False,
            "interval_days": {"visit": 28},
            "arrangement": {"kind": "reduced_visits", "active_from": "2025-09-01"},
            "events": [{"kind": "custody_start", "date": "2026-01-10"}],
            "contacts": [
                {"date": "2026-01-05", "method": "home_visit", "with": "young_person", "outcome": "completed"},
                {"date": "2026-02-01", "method": "letter", "with": "young_person", "outcome": "no_response",
                 "purpose": "kit_offer"},
            ],
            "pathway_reviews": ["2025-10-01"],
        },
        {
            "ref": "YP-0002",
            "name": "Riley Khan",
            "date_of_birth": "2007-11-30",
            "legal_status": "relevant",
            "pa": "pa-1",
            "allocated_on": "2026-02-01",
            "contacts": [{"date": "2026-02-10", "method": "phone", "with": "young_person", "outcome": "completed"}],
        },
    ],
}

#: Everything the importer can write, with the history tables (django-simple-history registers them as models).
APP_LABELS = ("careleavers", "contacts", "pathway", "approvals", "compliance", "auth")


def good() -> dict:
    return copy.deepcopy(GOOD)


def snapshot() -> dict[str, list[dict]]:
    result = {}
    for model in apps.get_models():
        if model._meta.app_label in APP_LABELS:
            result[model._meta.label] = list(model.objects.order_by("pk").values())
    return result


def problems_of(data) -> list[str]:
    """Import `data`, expecting a refusal; check nothing was written; return the problems."""
    before = snapshot()
    with pytest.raises(BundleError) as caught:
        import_bundle(data)
    assert snapshot() == before
    return caught.value.problems


def problem_paths(data) -> set[str]:
    return {p.split(": ", 1)[0] for p in problems_of(data)}


def edited(path: str, value) -> dict:
    """GOOD with one field set: path like "young_people.0.contacts.1.method" (value DELETE removes it)."""
    data = good()
    *parents, last = path.split(".")
    target = data
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    if value is DELETE:
        del target[int(last) if last.isdigit() else last]
    elif last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value
    return data


DELETE = object()


# --- Bad input: each problem with its JSON path, nothing changed -------------------------------------------------------


@pytest.mark.parametrize("data", [[], "bundle", 42, None])
def test_a_bundle_that_is_not_an_object_is_refused(data):
    assert problems_of(data) == ["$: must be an object"]


def test_a_bundle_without_young_people_is_refused():
    data = good()
    del data["young_people"]
    assert problems_of(data) == ["young_people: is required"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("teams.0.name", "teams[0].name"),
        ("staff.1.role", "staff[1].role"),
        ("staff.0.team", "staff[0].team"),  # a PA belongs to a team
        ("absences.0.end", "absences[0].end"),
        ("young_people.0.ref", "young_people[0].ref"),
        ("young_people.0.name", "young_people[0].name"),
        ("young_people.1.date_of_birth", "young_people[1].date_of_birth"),
        ("young_people.1.legal_status", "young_people[1].legal_status"),
        ("young_people.0.pa", "young_people[0].pa"),
        ("young_people.1.allocated_on", "young_people[1].allocated_on"),
        ("young_people.0.arrangement.active_from", "young_people[0].arrangement.active_from"),
        ("young_people.0.arrangement.kind", "young_people[0].arrangement.kind"),
        ("young_people.0.events.0.date", "young_people[0].events[0].date"),
        ("young_people.0.events.0.kind", "young_people[0].events[0].kind"),
        ("young_people.0.contacts.1.date", "young_people[0].contacts[1].date"),
        ("young_people.0.contacts.1.method", "young_people[0].contacts[1].method"),
        ("young_people.0.contacts.0.with", "young_people[0].contacts[0].with"),
        ("young_people.1.contacts.0.outcome", "young_people[1].contacts[0].outcome"),
    ],
)
def test_a_missing_required_field_is_refused_with_its_path(path, expected):
    assert expected in problem_paths(edited(path, DELETE))


def test_a_required_field_given_as_null_is_refused():
    assert problems_of(edited("young_people.0.name", None)) == ["young_people[0].name: is required"]


def test_an_unknown_field_is_refused():
    assert problems_of(edited("young_people.1.nickname", "Ri")) == [
        "young_people[1].nickname: is not a field of a case bundle"
    ]
    assert problem_paths(edited("young_people.0.contacts.0.duration", 30)) == {"young_people[0].contacts[0].duration"}


def test_an_unknown_pack_is_refused():
    assert problems_of(edited("pack", "kent")) == [
        "pack: 'kent' is not one of england, pcc, tct2, buckinghamshire, tower_hamlets, derbyshire"
    ]


def test_an_absent_pack_means_england():
    data = good()
    del data["pack"]
    import_bundle(data)
    from compliance.models import PolicyPack

    assert PolicyPack.objects.get(is_active=True).key == "england"


def test_an_unknown_role_is_refused():
    assert problem_paths(edited("staff.1.role", "manager")) == {"staff[1].role"}


def test_a_staff_team_that_does_not_exist_is_refused():
    problems = problems_of(edited("staff.0.team", "west"))
    assert problems == ["staff[0].team: no team with ref 'west' in the bundle or on record"]


def test_a_team_on_record_can_be_used_without_repeating_it(north):
    data = edited("staff.0.team", "north")
    import_bundle(data)
    assert YoungPerson.objects.get(ref="YP-0001").pa.team == north


def test_a_pa_that_is_not_a_pa_is_refused():
    assert problems_of(edited("young_people.0.pa", "tl-1")) == ["young_people[0].pa: 'tl-1' is a team_leader, not a pa"]


def test_a_pa_that_does_not_exist_is_refused():
    assert problems_of(edited("young_people.0.pa", "pa-9")) == ["young_people[0].pa: no staff member with ref 'pa-9'"]


def test_a_pa_on_record_can_be_used(alice):
    import_bundle(edited("young_people.1.pa", "alice"))
    assert YoungPerson.objects.get(ref="YP-0002").pa == alice


@pytest.mark.parametrize(
    "value",
    ["2026-02-30", "yesterday", 20260101, "20260101", "2026-1-5", "05/01/2026", "2026-01-05T10:00", "", True,
     "2026-W01-1", "2026W011  ", "2026-13-01", ["2026-01-05"]],
)
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("young_people.0.date_of_birth", "young_people[0].date_of_birth"),
        ("young_people.0.allocated_on", "young_people[0].allocated_on"),
        ("young_people.0.contacts.0.date", "young_people[0].contacts[0].date"),
        ("young_people.0.events.0.date", "young_people[0].events[0].date"),
        ("young_people.0.arrangement.active_from", "young_people[0].arrangement.active_from"),
        ("young_people.0.pathway_reviews.0", "young_people[0].pathway_reviews[0]"),
        ("absences.0.start", "absences[0].start"),
    ],
)
def test_a_bad_date_is_refused_with_its_path(path, expected, value):
    problems = problems_of(edited(path, value))
    assert f"{expected}: not a date (expected YYYY-MM-DD)" in problems


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("young_people.0.legal_status", "care_leaver", "young_people[0].legal_status"),
        ("young_people.0.circumstance", "homeless", "young_people[0].circumstance"),
        ("young_people.0.arrangement.kind", "reduced", "young_people[0].arrangement.kind"),
        ("young_people.0.events.0.kind", "accommodation_move", "young_people[0].events[0].kind"),  # not in the contract
        ("young_people.0.events.0.kind", "arrest", "young_people[0].events[0].kind"),
        ("young_people.0.contacts.0.method", "visit", "young_people[0].contacts[0].method"),
        ("young_people.0.contacts.0.method", "Home_Visit", "young_people[0].contacts[0].method"),
        ("young_people.0.contacts.0.with", "mother", "young_people[0].contacts[0].with"),
        ("young_people.0.contacts.0.outcome", "done", "young_people[0].contacts[0].outcome"),
        ("young_people.0.contacts.1.purpose", "review", "young_people[0].contacts[1].purpose"),
        ("absences.0.reason", "holiday", "absences[0].reason"),
        ("staff.0.role", "PA", "staff[0].role"),
    ],
)
def test_a_value_outside_its_vocabulary_is_refused(path, value, expected):
    problems = problems_of(edited(path, value))
    assert len(problems) == 1 and problems[0].startswith(f"{expected}: {value!r} is not one of "), problems


@pytest.mark.parametrize(
    ("intervals", "expected"),
    [
        ({"visits": 28}, "young_people[0].interval_days.visits"),
        ({"Visit": 28}, "young_people[0].interval_days.Visit"),
        ({"visit": 0}, "young_people[0].interval_days.visit"),
        ({"visit": -7}, "young_people[0].interval_days.visit"),
        ({"visit": "28"}, "young_people[0].interval_days.visit"),
        ({"visit": 28.5}, "young_people[0].interval_days.visit"),
        ({"visit": True}, "young_people[0].interval_days.visit"),
        ({"visit": None}, "young_people[0].interval_days.visit"),
        ([28], "young_people[0].interval_days"),
    ],
)
def test_interval_days_keys_and_values_are_checked(intervals, expected):
    assert problem_paths(edited("young_people.0.interval_days", intervals)) == {expected}


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("young_people.0.extended_support", "yes", "young_people[0].extended_support"),
        ("young_people.0.contacts", {"date": "2026-01-05"}, "young_people[0].contacts"),
        ("young_people.0.contacts.0", "home visit", "young_people[0].contacts[0]"),
        ("young_people.0.events", "custody_start", "young_people[0].events"),
        ("young_people.0.pathway_reviews", "2025-10-01", "young_people[0].pathway_reviews"),
        ("young_people.0.arrangement", "step_back", "young_people[0].arrangement"),
        ("young_people", {"ref": "YP-1"}, "young_people"),
        ("young_people.0", ["YP-0001"], "young_people[0]"),
        ("teams", "east", "teams"),
        ("young_people.0.ref", 12, "young_people[0].ref"),
        ("young_people.0.name", "  ", "young_people[0].name"),
        ("young_people.0.pa", ["pa-1"], "young_people[0].pa"),
        ("absences.0.staff", {"ref": "pa-1"}, "absences[0].staff"),
        ("staff.1.team", ["east"], "staff[1].team"),
        ("young_people.0.legal_status", ["relevant"], "young_people[0].legal_status"),
    ],
)
def test_a_value_of_the_wrong_shape_is_refused(path, value, expected):
    assert expected in problem_paths(edited(path, value))


def test_a_date_of_birth_after_allocation_is_refused():
    assert problem_paths(edited("young_people.1.date_of_birth", "2026-03-01")) == {"young_people[1].allocated_on"}


def test_an_absence_ending_before_it_starts_is_refused():
    assert problems_of(edited("absences.0.end", "2026-03-01")) == ["absences[0].end: is before start"]


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("young_people.1.ref", "YP-0001", "young_people[1].ref: 'YP-0001' appears twice"),
        ("staff.1.ref", "pa-1", "staff[1].ref: 'pa-1' appears twice"),
    ],
)
def test_duplicate_refs_are_refused(path, value, expected):
    data = edited(path, value)
    if path.startswith("staff"):
        data["staff"][1]["role"] = "pa"
    assert expected in problems_of(data)


def test_a_staff_member_with_a_problem_is_reported_once_not_at_every_reference():
    assert problem_paths(edited("staff.0.role", "PA")) == {"staff[0].role"}


def test_duplicate_team_refs_are_refused():
    data = good()
    data["teams"].append({"ref": "east", "name": "East Again"})
    assert problems_of(data) == ["teams[1].ref: 'east' appears twice"]


def test_several_problems_are_reported_at_once_each_with_its_path():
    data = good()
    data["pack"] = "kent"
    data["staff"][1]["role"] = "boss"
    yp = data["young_people"][0]
    yp["date_of_birth"] = "2006-02-30"
    yp["legal_status"] = "unknown"
    yp["contacts"][1]["with"] = "mum"
    yp["contacts"][0]["date"] = "yesterday"
    yp["events"][0]["kind"] = "arrest"
    yp["interval_days"] = {"visit": 0, "calls": 5}
    del data["young_people"][1]["allocated_on"]
    assert problem_paths(data) == {
        "pack",
        "staff[1].role",
        "young_people[0].date_of_birth",
        "young_people[0].legal_status",
        "young_people[0].contacts[1].with",
        "young_people[0].contacts[0].date",
        "young_people[0].events[0].kind",
        "young_people[0].interval_days.visit",
        "young_people[0].interval_days.calls",
        "young_people[1].allocated_on",
    }


def test_a_refused_bundle_changes_nothing_already_recorded():
    import_bundle(good())
    data = good()
    data["young_people"][0]["contacts"][0]["outcome"] = "no_response"  # a change that would be applied...
    data["young_people"][1]["contacts"][0]["method"] = "fax"  # ...but for this problem
    assert problem_paths(data) == {"young_people[1].contacts[0].method"}
    assert Contact.objects.get(date="2026-01-05").outcome == "completed"


# --- The command ------------------------------------------------------------------------------------------------------


def _write(tmp_path, data) -> str:
    path = tmp_path / "bundle.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def test_command_prints_every_problem_with_its_path_and_fails(tmp_path):
    data = good()
    data["young_people"][0]["contacts"][0]["date"] = "2026-02-30"
    data["young_people"][1]["legal_status"] = "orphan"
    err, before = io.StringIO(), snapshot()
    with pytest.raises(CommandError, match=r"2 problem\(s\); nothing was imported"):
        call_command("import_cases", _write(tmp_path, data), stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert "young_people[0].contacts[0].date: not a date (expected YYYY-MM-DD)" in lines
    assert any(line.startswith("young_people[1].legal_status: 'orphan' is not one of") for line in lines)
    assert snapshot() == before


def test_command_refuses_text_that_is_not_json(tmp_path):
    with pytest.raises(CommandError, match=r"^\$: not valid JSON"):
        call_command("import_cases", _write(tmp_path, '{"young_people": ['), stdout=io.StringIO(), stderr=io.StringIO())
    assert not YoungPerson.objects.exists()


def test_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="cannot read the bundle"):
        call_command("import_cases", str(tmp_path / "absent.json"), stdout=io.StringIO())


def test_command_imports_a_good_bundle_and_summarises(tmp_path):
    out = io.StringIO()
    call_command("import_cases", _write(tmp_path, good()), stdout=out)
    assert "young people: 2 created, 0 updated" in out.getvalue()
    assert "contacts: 3 created, 0 updated" in out.getvalue()
    assert YoungPerson.objects.count() == 2


def test_command_dash_reads_standard_input(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(good())))
    call_command("import_cases", "-", stdout=io.StringIO())
    assert set(YoungPerson.objects.values_list("ref", flat=True)) == {"YP-0001", "YP-0002"}


def test_command_dash_reports_problems_from_standard_input(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(edited("young_people.0.contacts.0.method", "fax"))))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_cases", "-", stdout=io.StringIO(), stderr=err)
    assert err.getvalue().startswith("young_people[0].contacts[0].method: 'fax' is not one of")


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory):
    """A throwaway migrated SQLite database for running manage.py as a separate process (the test database
    of this process is not visible to another one)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test",
           "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('db') / 'import.sqlite3'}"}
    done = subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return env


def _manage(env, *args, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_manage_py_import_cases_exit_codes(migrated_sqlite, tmp_path):
    bad = edited("young_people.0.events.0.date", "20260101")
    bad["young_people"][1]["with"] = "x"
    done = _manage(migrated_sqlite, "import_cases", _write(tmp_path, bad))
    assert done.returncode != 0
    assert "young_people[0].events[0].date: not a date (expected YYYY-MM-DD)" in done.stderr
    assert "young_people[1].with: is not a field of a case bundle" in done.stderr

    done = _manage(migrated_sqlite, "import_cases", "-", stdin="not json")
    assert done.returncode != 0
    assert "$: not valid JSON" in done.stderr

    done = _manage(migrated_sqlite, "import_cases", "-", stdin=json.dumps(good()))
    assert done.returncode == 0, done.stderr
    again = _manage(migrated_sqlite, "import_cases", "-", stdin=json.dumps(good()))
    assert again.returncode == 0, again.stderr
    assert "Nothing to change" in again.stdout
    report = _manage(migrated_sqlite, "compliance_report", "--as-of", "2026-03-01")
    assert report.returncode == 0, report.stderr
    assert {(r["young_person"], r["requirement"]) for r in json.loads(report.stdout)} == {
        ("YP-0001", "contact"), ("YP-0001", "pathway_review"), ("YP-0002", "pathway_review"), ("YP-0002", "visit")}


# --- Idempotent ---------------------------------------------------------------------------------------------------------


def test_a_second_import_of_the_same_bundle_changes_nothing():
    first = import_bundle(good())
    assert first.created["young people"] == 2
    before = snapshot()
    assert any(label.endswith("HistoricalContact") and rows for label, rows in before.items())
    summary = import_bundle(good())
    assert summary.lines() == ["Nothing to change: the bundle matches what is already recorded."]
    assert snapshot() == before


def test_a_second_import_of_the_shared_examples_changes_nothing():
    from tests.examples import examples_dir

    folder = examples_dir()
    for bundle_file in sorted(folder.glob("*.json")):
        if ".expected-" in bundle_file.name:
            continue
        import_bundle(json.loads(bundle_file.read_text()))
        before = snapshot()
        import_bundle(json.loads(bundle_file.read_text()))
        assert snapshot() == before, bundle_file.name


def test_changing_a_contact_outcome_and_reimporting_updates_that_contact():
    import_bundle(good())
    contact = Contact.objects.get(young_person__ref="YP-0001", date="2026-01-05")
    report_before = report_rows(AS_OF)
    data = good()
    data["young_people"][0]["contacts"][0]["outcome"] = "no_response"
    summary = import_bundle(data)
    assert summary.updated["contacts"] == 1 and not summary.created
    assert Contact.objects.count() == 3
    contact.refresh_from_db()
    assert contact.outcome == "no_response"
    assert contact.history.count() == 2  # the change is versioned
    assert report_rows(AS_OF) != report_before
    assert [(r["requirement"], r["last_met"]) for r in report_rows(AS_OF) if r["young_person"] == "YP-0001"] == [
        ("contact", None), ("pathway_review", "2025-10-01")]
    # and back again
    import_bundle(good())
    contact.refresh_from_db()
    assert contact.outcome == "completed"
    assert Contact.objects.count() == 3


def test_a_contact_with_a_different_method_is_a_new_contact():
    """Contacts are matched by young person, date, method and `with`: changing any of those is a new contact;
    the earlier one stays (nothing is deleted by an import)."""
    import_bundle(good())
    import_bundle(edited("young_people.1.contacts.0.method", "text"))
    assert sorted(Contact.objects.filter(young_person__ref="YP-0002").values_list("method", flat=True)) == ["phone", "text"]


def test_reimport_updates_young_person_fields_and_recomputes():
    from compliance.models import Requirement

    import_bundle(good())
    assert Requirement.objects.filter(young_person__ref="YP-0002", code="visit").exists()
    data = good()
    data["young_people"][1]["arrangement"] = {"kind": "step_back", "active_from": "2026-02-05"}
    data["young_people"][1]["circumstance"] = "settled"
    import_bundle(data)
    yp = YoungPerson.objects.get(ref="YP-0002")
    assert yp.circumstance == "settled"
    assert set(Requirement.objects.filter(young_person=yp).values_list("code", flat=True)) == {
        "keeping_in_touch", "pathway_review"}
    before = snapshot()
    import_bundle(data)
    assert snapshot() == before
