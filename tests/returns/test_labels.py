"""X2: the Annex A list 9 wording is data, one file per collection year (returns/codes/annex_a_YYYY_YY.json)."""

import datetime as dt
import json
import shutil

import pytest

from careleavers.models import LegalStatus
from contacts import codes
from returns import dfe, labels
from returns.labels import LabelsError, annex_a_labels, annex_a_labels_on, file_for_year, load_file, year_files

D = dt.date
YEAR_FILES = sorted(year_files().items())


def test_x2_there_is_a_year_file_for_2025_26():
    assert 2025 in dict(YEAR_FILES)
    assert dict(YEAR_FILES)[2025].name == "annex_a_2025_26.json"


@pytest.mark.parametrize(("year", "path"), YEAR_FILES, ids=[p.name for _, p in YEAR_FILES])
def test_x2_every_code_used_has_a_label_in_each_year_file(year, path):
    year_labels = load_file(path)
    assert year_labels.year == year
    assert set(codes.ETHNICITY) <= set(year_labels.ethnicity)
    assert {*dfe.SEX_CODES, ""} <= set(year_labels.gender)
    assert set(LegalStatus.values) <= set(year_labels.eligibility)
    assert set(codes.IN_TOUCH) <= set(year_labels.in_touch)
    assert set(codes.ACTIVITY) <= set(year_labels.activity)
    letters = {code[0] for code in codes.ACCOMMODATION if code != "0"}
    assert letters | {"0"} <= set(year_labels.accommodation_type)
    assert {code[1:] for code in codes.ACCOMMODATION if code != "0"} <= set(year_labels.suitability)
    assert set(year_labels.yes_no) == {"true", "false"}
    # Every coded value an in-touch check can hold reads as a label, never as a bare code.
    for code in codes.ACCOMMODATION:
        kind, suitable = year_labels.accommodation(code)
        if code == "0":
            assert (kind, suitable) == ("", "")
        else:
            assert kind.startswith(f"{code[0]}: ") and suitable
    assert year_labels.columns[0] == "Child Unique ID"
    assert len(year_labels.columns) == len(set(year_labels.columns)) == 17


def test_x2_2025_26_wording_is_the_one_the_files_have_always_had():
    wording = annex_a_labels(2025)
    assert wording.sex("F") == "b) Female" and wording.sex("") == wording.sex("U") == "c) Not stated/recorded"
    assert wording.ethnic("WBRI") == "a) WBRI" and wording.ethnic("NOBT") == "t) NOBT" and wording.ethnic("") == "t) NOBT"
    assert (wording.yes(value=True), wording.yes(value=False)) == ("a) Yes", "b) No")
    assert wording.eligibility["former_relevant"] == "b) Former relevant child"
    assert wording.in_touch["REFU"] == "d) Refused contact"
    assert wording.accommodation("E1") == ("E: Supported lodgings", "a) Suitable")
    assert wording.accommodation("X2") == ("X: In custody", "b) Unsuitable")
    assert wording.accommodation("0") == ("", "")
    assert wording.activity_status("F4") == "F4: Full-time in an apprenticeship"
    assert wording.activity_status("0") == wording.activity_status("") == ""


@pytest.fixture
def codes_dir(tmp_path, monkeypatch):
    """A codes directory with the 2025-26 file and a 2027-28 one whose Yes is worded differently."""
    shutil.copy(dict(YEAR_FILES)[2025], tmp_path / "annex_a_2025_26.json")
    data = json.loads((tmp_path / "annex_a_2025_26.json").read_text())
    data["collection_year"] = "2027-28"
    data["yes_no"]["true"] = "a) Yes (2027-28)"
    (tmp_path / "annex_a_2027_28.json").write_text(json.dumps(data))
    monkeypatch.setattr(labels, "CODES_DIR", tmp_path)
    return tmp_path


@pytest.mark.parametrize(("year", "file_year"), [
    (2023, 2025),  # before the first file: the first
    (2025, 2025),  # its own
    (2026, 2025),  # none of its own: the newest before it
    (2027, 2027),
    (2030, 2027),
])
def test_x2_the_year_file_is_chosen_by_collection_year(codes_dir, year, file_year):
    assert file_for_year(year).name == f"annex_a_{file_year}_{str(file_year + 1)[2:]}.json"
    assert annex_a_labels(year).year == file_year


@pytest.mark.parametrize(("day", "yes"), [
    (D(2028, 3, 31), "a) Yes (2027-28)"),
    (D(2027, 4, 1), "a) Yes (2027-28)"),   # the first day of 2027-28
    (D(2027, 3, 31), "a) Yes"),            # the last day of 2026-27 (no file: 2025-26's wording)
])
def test_x2_the_wording_of_a_day_is_its_collection_years(codes_dir, day, yes):
    assert annex_a_labels_on(day).yes(value=True) == yes


@pytest.mark.parametrize(("name", "change", "message"), [
    ("annex_a_2025_26.json", lambda d: d.pop("activity"), "activity must map"),
    ("annex_a_2025_26.json", lambda d: d.update(collection_year="2024-25"), "does not match"),
    ("annex_a_2025_27.json", lambda d: None, "named annex_a_YYYY_YY"),
    ("annex_a_2025_26.json", lambda d: d["gender"].pop(""), "not recorded"),
    ("annex_a_2025_26.json", lambda d: d.update(columns=[]), "columns"),
])
def test_x2_a_broken_year_file_is_refused(tmp_path, name, change, message):
    data = json.loads(dict(YEAR_FILES)[2025].read_text())
    change(data)
    path = tmp_path / name
    path.write_text(json.dumps(data))
    with pytest.raises(LabelsError, match=message):
        load_file(path)
