"""The wording of Ofsted's Annex A list 9 (X2) as data: one file per collection year.

`returns/codes/annex_a_YYYY_YY.json` holds the columns and the label of every coded answer for the
collection year from 1 April YYYY (gender, ethnicity, yes/no, eligibility category, in touch, type
and suitability of accommodation, activity). A year is read from its own file; a year without one
uses the newest file before it (the wording holds until Ofsted changes it), and a year before the
first file uses the first. A new year's wording is a new file, not a code change.

The codes themselves (SSDA903 in touch, activity, accommodation, ethnicity) are the ones the
in-touch check stores (contacts.codes); tests/returns/test_labels.py checks that every one of them
has a label in every year file.
"""

import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .windows import collection_year_of

CODES_DIR = Path(__file__).resolve().parent / "codes"
FILE_PATTERN = re.compile(r"^annex_a_(\d{4})_(\d{2})\.json$")

#: The sections of a year file that map a code to its label.
SECTIONS = ("gender", "ethnicity", "yes_no", "eligibility", "in_touch", "accommodation_type", "suitability", "activity")


class LabelsError(ValueError):
    """A year file that is missing, misnamed or lacks a section."""


@dataclass(frozen=True)
class AnnexALabels:
    """The Annex A list 9 wording of one collection year (`year`: the one starting on 1 April)."""

    year: int
    path: Path
    columns: tuple[str, ...]
    gender: dict[str, str]
    ethnicity: dict[str, str]
    yes_no: dict[str, str]
    eligibility: dict[str, str]
    in_touch: dict[str, str]
    accommodation_type: dict[str, str]
    suitability: dict[str, str]
    activity: dict[str, str]

    def sex(self, code: str) -> str:
        return self.gender.get(code, self.gender[""])

    def ethnic(self, code: str) -> str:
        # Not recorded reads as the DfE's "information not yet obtained" (as the header file says).
        return self.ethnicity.get(code, self.ethnicity["NOBT"])

    def yes(self, *, value: bool) -> str:
        return self.yes_no["true" if value else "false"]

    def accommodation(self, code: str) -> tuple[str, str]:
        """(Type of Accommodation, Suitability of Accommodation) for an ACCOM code; blank for 0 or none."""
        if not code or code == "0":
            return "", ""
        letter, suitability = code[0], code[1:]
        return self.accommodation_type.get(letter, letter), self.suitability.get(suitability, "")

    def activity_status(self, code: str) -> str:
        if not code:
            return ""
        return self.activity.get(code, code)


def _year_of(path: Path) -> int:
    match = FILE_PATTERN.match(path.name)
    if not match or int(match[2]) != (int(match[1]) + 1) % 100:
        raise LabelsError(f"{path.name}: a year file is named annex_a_YYYY_YY.json for the year from 1 April YYYY.")
    return int(match[1])


def year_files(directory: Path | None = None) -> dict[int, Path]:
    """The year files in `directory` (default returns/codes), by collection year."""
    return {_year_of(path): path for path in sorted((directory or CODES_DIR).glob("annex_a_*.json"))}


def load_file(path: Path) -> AnnexALabels:
    """One year file, checked: every section present, labels are text, the stated year matches the name."""
    year = _year_of(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("collection_year") != f"{year}-{str(year + 1)[2:]}":
        raise LabelsError(f"{path.name}: collection_year {data.get('collection_year')!r} does not match its name.")
    columns = data.get("columns")
    if not isinstance(columns, list) or not columns or not all(isinstance(c, str) and c for c in columns):
        raise LabelsError(f"{path.name}: columns must be a list of column names.")
    sections = {}
    for name in SECTIONS:
        section = data.get(name)
        if not isinstance(section, dict) or not all(isinstance(v, str) for v in section.values()):
            raise LabelsError(f"{path.name}: {name} must map each code to its label.")
        sections[name] = dict(section)
    if "" not in sections["gender"] or "NOBT" not in sections["ethnicity"] or set(sections["yes_no"]) != {"true", "false"}:
        raise LabelsError(f"{path.name}: gender needs a label for not recorded (blank), ethnicity for NOBT, "
                          "yes_no exactly true and false.")
    return AnnexALabels(year=year, path=path, columns=tuple(columns), **sections)


def file_for_year(year: int, directory: Path | None = None) -> Path:
    """The year's own file; else the newest before it; else the first."""
    files = year_files(directory)
    if not files:
        raise LabelsError(f"No Annex A year files in {directory or CODES_DIR}.")
    earlier = [y for y in files if y <= year]
    return files[max(earlier) if earlier else min(files)]


@cache
def _labels(path: Path) -> AnnexALabels:
    return load_file(path)


def annex_a_labels(year: int) -> AnnexALabels:
    """The Annex A wording for the collection year from 1 April `year` (read once per file)."""
    return _labels(file_for_year(year))


def annex_a_labels_on(day: dt.date) -> AnnexALabels:
    """The Annex A wording of the collection year `day` falls in."""
    return annex_a_labels(collection_year_of(day))
