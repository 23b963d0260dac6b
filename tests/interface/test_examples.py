"""CONTRACT.md: each shared example bundle reproduces its expected report exactly."""

import io
import json

import pytest
from django.core.management import call_command

from tests.examples import example_names, examples_dir


def _report(as_of: str, fmt: str = "json") -> str:
    out = io.StringIO()
    call_command("compliance_report", "--as-of", as_of, "--format", fmt, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("name", example_names())
def test_example_bundle_reproduces_expected_report(name):
    folder = examples_dir()
    expected_files = sorted(folder.glob(f"{name}.expected-*.json"))
    assert expected_files, f"no expected report for {name}"
    call_command("import_cases", str(folder / f"{name}.json"), stdout=io.StringIO())
    for expected_file in expected_files:
        as_of = expected_file.stem.split(".expected-")[1]
        assert json.loads(_report(as_of)) == json.loads(expected_file.read_text())


@pytest.mark.django_db
@pytest.mark.parametrize("name", example_names())
def test_example_import_is_idempotent(name):
    folder = examples_dir()
    call_command("import_cases", str(folder / f"{name}.json"), stdout=io.StringIO())
    first = _report("2026-03-01")
    out = io.StringIO()
    call_command("import_cases", str(folder / f"{name}.json"), stdout=out)
    assert "Nothing to change" in out.getvalue()
    assert _report("2026-03-01") == first


@pytest.mark.django_db
def test_csv_format_has_the_same_columns_and_rows():
    folder = examples_dir()
    call_command("import_cases", str(folder / "arrangements.json"), stdout=io.StringIO())
    rows = json.loads(_report("2026-03-01"))
    lines = _report("2026-03-01", "csv").strip().splitlines()
    assert lines[0] == "young_person,requirement,last_met,due,status,days_overdue"
    assert len(lines) == len(rows) + 1
    assert lines[3] == "AR-01,visit,,2026-02-07,overdue,22"
