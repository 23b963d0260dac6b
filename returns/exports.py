"""The return files (CONTRACT "Returns", X1, X2), built with a fixed number of queries.

- header.csv and oc3.csv: the SSDA903 care leaver table for the collection year that starts on
  1 April `year`.
- annex_a_list9.csv: Ofsted Annex A list 9, everyone in service on 31 March at the year's end, in the
  wording of the collection year (returns.labels). Annex A as at any other date: returns.annex_a.
"""

import datetime as dt
import io
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.db.models import QuerySet

from careleavers.models import AccommodationPeriod, ActivityPeriod, LegalStatus, YoungPerson
from careleavers.selectors import periods_in_force
from contacts.models import InTouchCheck
from core.dates import birthday

from . import dfe
from .annex_a import (
    CHECK_COLUMNS,
    CheckRow,
    IdList,
    ReturnPerson,
    annex_a_row,
    latest_completed_contacts,
    person_rows,
)
from .files import CsvLines, csv_text, csv_write, dmy
from .in_service import in_service_on
from .labels import AnnexALabels, annex_a_labels
from .windows import BirthdayWindow, birthday_in_year, closest_check, collection_year

HEADER_COLUMNS = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
OC3_COLUMNS = ["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"]
FILE_NAMES = ("header.csv", "oc3.csv", "annex_a_list9.csv")

#: Young people read per query (issue 16): the returns are worked out, and written, this many at a time.
CHUNK = 2000


#: X1 (CONTRACT v2, change 6): the OC3 cohort is the DfE's care leavers, relevant and former relevant only.
OC3_LEGAL_STATUSES = (LegalStatus.RELEVANT, LegalStatus.FORMER_RELEVANT)

#: The one CSV writer of the return files (every cell through core.spreadsheets.safe_cell).
_csv = csv_text
__all__ = ["CHUNK", "FILE_NAMES", "HEADER_COLUMNS", "OC3_COLUMNS", "Returns", "build_returns", "dmy", "returns_chunks"]


@lru_cache(maxsize=8192)  # issue 16: as files.dmy
def british(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


@dataclass
class Oc3Row:
    young_person: ReturnPerson
    window: BirthdayWindow
    check: CheckRow | None

    @property
    def values(self) -> dict[str, str]:
        yp, check = self.young_person, self.check
        if check is None:
            # X1: with no check recorded around the birthday the young person is not in touch.
            in_touch, activity, accommodation = "NO", "0", "0"
        else:
            in_touch, activity, accommodation = check.in_touch, check.activity, check.accommodation
        return {"CHILD": yp.ref, "DOB": dmy(yp.date_of_birth), "IN_TOUCH": in_touch, "ACTIV": activity, "ACCOM": accommodation}

    @property
    def header(self) -> dict[str, str]:
        yp = self.young_person
        # MOTHER and MC_DOB stay blank: they are not asked of care leavers who were not looked
        # after during the year (903 rule 628), which is everyone this service supports.
        # Not recorded is said with the DfE's own codes: U (sex unknown), NOBT (ethnicity not yet
        # obtained); the page before exporting lists who lacks them.
        return {"CHILD": yp.ref, "SEX": yp.sex or "U", "DOB": dmy(yp.date_of_birth),
                "ETHNIC": yp.ethnicity or "NOBT", "UPN": yp.upn, "MOTHER": "", "MC_DOB": ""}


@dataclass
class Entry:
    """One young person's part of the returns: their OC3 (and header) row, their Annex A row, what they lack."""

    young_person: ReturnPerson
    oc3: Oc3Row | None
    annex_a: dict[str, str] | None
    problems: list[str]


@dataclass
class Returns:
    year: int
    oc3: list[Oc3Row] = field(default_factory=list)
    annex_a: list[dict[str, str]] = field(default_factory=list)
    #: (young person, what is missing or wrong), for the page shown before exporting.
    lacking: list[tuple[ReturnPerson, list[str]]] = field(default_factory=list)
    #: Who annex_a_list9.csv is about (issue 14, item 7: a download is logged against each of them).
    annex_a_ids: list[int] = field(default_factory=list)

    def young_person_ids(self, name: str | None = None) -> list[int]:
        """Who a file (or, with no name, the whole download) includes."""
        oc3 = [row.young_person.pk for row in self.oc3]
        if name in ("header.csv", "oc3.csv"):
            return oc3
        if name == "annex_a_list9.csv":
            return list(self.annex_a_ids)
        return sorted({*oc3, *self.annex_a_ids})

    def header_rows(self) -> list[dict[str, str]]:
        return [row.header for row in self.oc3]

    def csv_files(self) -> dict[str, str]:
        return {
            "header.csv": _csv(HEADER_COLUMNS, self.header_rows()),
            "oc3.csv": _csv(OC3_COLUMNS, [row.values for row in self.oc3]),
            "annex_a_list9.csv": _csv(self.labels.columns, self.annex_a),
        }

    @property
    def labels(self) -> AnnexALabels:
        """The Annex A wording of the collection year."""
        return annex_a_labels(self.year)

    def write(self, directory: Path) -> list[Path]:
        """The three files, each written row by row (the same bytes as csv_files)."""
        directory.mkdir(parents=True, exist_ok=True)
        files = {"header.csv": (HEADER_COLUMNS, self.header_rows()),
                 "oc3.csv": (OC3_COLUMNS, (row.values for row in self.oc3)),
                 "annex_a_list9.csv": (self.labels.columns, self.annex_a)}
        paths = []
        for name, (columns, rows) in files.items():
            path = directory / name
            csv_write(path, columns, rows)
            paths.append(path)
        return paths

    def zip_bytes(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in self.csv_files().items():
                archive.writestr(name, text)
        return buffer.getvalue()


def build_returns(year: int, people: QuerySet[YoungPerson] | None = None) -> Returns:
    """Everything the three files and the "lacking data" page need, gathered from returns_chunks."""
    result = Returns(year=year)
    for chunk in returns_chunks(year, people):
        for entry in chunk:
            if entry.oc3 is not None:
                result.oc3.append(entry.oc3)
            if entry.annex_a is not None:
                result.annex_a.append(entry.annex_a)
                result.annex_a_ids.append(entry.young_person.pk)
            if entry.problems:
                result.lacking.append((entry.young_person, entry.problems))
    return result


def returns_chunks(year: int, people: QuerySet[YoungPerson] | None = None, *, oc3: bool = True,  # noqa: C901, PLR0912, PLR0915
                   annex_a: bool = True, size: int | None = None) -> Iterator[list[Entry]]:
    """The returns of `year` for `people` (default everyone), `size` young people at a time in ref order
    (issue 16: keyset chunks, so memory holds one chunk whatever the size of the service, and each file is
    written, or sent, as the chunks come). Each chunk lists those in the OC3 cohort or in Annex A with their
    rows and what they lack (with both parts asked for: for the page before exporting).

    Queries: who is in service on 31 March (once, for Annex A), then per chunk the young people, their
    in-touch checks, their latest completed contacts and (issue 11) the accommodation and activity in
    force: five, whatever the number of young people in a chunk (the last three only with Annex A)."""
    people = YoungPerson.objects.all() if people is None else people
    size = size or CHUNK
    start, end = collection_year(year)
    # X1: the cohort is the relevant and former relevant young people (the DfE's care leavers: 903 rules
    # 1001, 1007, 1016; CONTRACT v2, change 6) with a 17th-25th birthday in the year (born within these bounds).
    ages = dfe.OC3_AGES + dfe.OC3_IN_TOUCH_ONLY_AGES
    born_after, born_by = birthday(start, -max(ages) - 1), birthday(end, -min(ages))
    in_service: set[int] = set()
    reviews: dict[int, dt.date | None] = {}
    if annex_a:
        # X2: everyone in service on 31 March (whoever has a requirement then; a qualifying young person has no
        # pathway_review, so the last review is blank for them).
        in_service, reviews = in_service_on(end)
    else:
        people = people.filter(legal_status__in=OC3_LEGAL_STATUSES, date_of_birth__gt=born_after,
                               date_of_birth__lte=born_by)
    labels = annex_a_labels(year)
    rows = person_rows(people)
    after = None
    while True:
        chunk = [ReturnPerson._make(row) for row in (rows if after is None else rows.filter(ref__gt=after))[:size]]
        if not chunk:
            return
        windows = {} if not oc3 else {
            yp.pk: window for yp in chunk
            if yp.legal_status in OC3_LEGAL_STATUSES and born_after < yp.date_of_birth <= born_by
            and (window := birthday_in_year(yp.date_of_birth, year, ages))}
        annex_ids = [yp.pk for yp in chunk if yp.pk in in_service]
        # One read of the checks for both files: those around the birthday (OC3) and the latest by 31 March (Annex A).
        checks: dict[int, list[CheckRow]] = defaultdict(list)
        if windows or annex_ids:
            until = max([end, *(w.closes for w in windows.values())])
            for row in (InTouchCheck.objects.filter(young_person__in=IdList(sorted({*windows, *annex_ids})), date__lte=until)
                        .order_by("young_person", "date", "id").values_list(*CHECK_COLUMNS)):
                checks[row[0]].append(CheckRow._make(row))
        last_contacts: dict[int, dt.date] = {}
        accommodation: dict[int, AccommodationPeriod] = {}
        activity: dict[int, ActivityPeriod] = {}
        if annex_ids:
            last_contacts = latest_completed_contacts(IdList(annex_ids), end)
            accommodation = periods_in_force(AccommodationPeriod, IdList(annex_ids), end)  # issue 11, items 3 and 4
            activity = periods_in_force(ActivityPeriod, IdList(annex_ids), end)
        entries = []
        for yp in chunk:
            problems: list[str] = []
            oc3_row = None
            window = windows.get(yp.pk)
            if window is not None:
                check = closest_check(window, checks[yp.pk]) if yp.pk in checks else None
                if window.age not in dfe.OC3_IN_TOUCH_ONLY_AGES or (check is not None and check.in_touch == "YES"):
                    # (22nd-25th birthdays are returned only for young people in touch)
                    oc3_row = Oc3Row(yp, window, check)
                    problems.extend(_header_problems(yp))
                    problems.extend(_oc3_problems(window, check))
            annex_row = None
            if yp.pk in in_service:
                latest = next((c for c in reversed(checks[yp.pk]) if c.date <= end), None) if yp.pk in checks else None
                annex_row = annex_a_row(labels=labels, young_person=yp, on=end, legal_status=yp.legal_status,
                                        last_review=reviews.get(yp.pk), last_contact=last_contacts.get(yp.pk),
                                        check=latest, accommodation=accommodation.get(yp.pk),
                                        activity=activity.get(yp.pk))
                if oc3_row is None:
                    problems.extend(_header_problems(yp))
                if latest is None:
                    problems.append("No in-touch check recorded: Annex A cannot say whether the council is in touch.")
                if yp.pa_id is None:
                    problems.append("No Personal Adviser allocated.")
                if yp.pk in reviews and reviews[yp.pk] is None:
                    problems.append("No pathway plan review recorded.")
            if oc3_row is not None or annex_row is not None:
                entries.append(Entry(yp, oc3_row, annex_row, problems))
        if entries:
            yield entries
        if len(chunk) < size:
            return
        after = chunk[-1].ref


def _oc3_problems(window: BirthdayWindow, check: CheckRow | None) -> list[str]:
    if check is None:
        return [(f"No in-touch check recorded around the {_ordinal(window.age)} birthday ({british(window.birthday)}; "
                 f"window {british(window.opens)} to {british(window.closes)}): the return says not in touch.")]
    return [f"In-touch check of {british(check.date)}: {message}"
            for message in dfe.check_problems(in_touch=check.in_touch, activity=check.activity,
                                              accommodation=check.accommodation, age=window.age).values()]


def file_chunks(year: int, name: str, people: QuerySet[YoungPerson] | None = None, *,
                size: int | None = None) -> Iterator[tuple[str, list[int]]]:
    """The return file `name` (one of FILE_NAMES) as text a chunk at a time, each with who it is about (the
    first, the header line, about no one): the same bytes as the file export_returns writes."""
    annex = name == "annex_a_list9.csv"
    lines = CsvLines(annex_a_labels(year).columns if annex else HEADER_COLUMNS if name == "header.csv" else OC3_COLUMNS)
    yield lines.header(), []
    for chunk in returns_chunks(year, people, oc3=not annex, annex_a=annex, size=size):
        if annex:
            rows = [(entry.young_person.pk, entry.annex_a) for entry in chunk if entry.annex_a is not None]
        else:
            rows = [(entry.young_person.pk, entry.oc3.header if name == "header.csv" else entry.oc3.values)
                    for entry in chunk if entry.oc3 is not None]
        if rows:
            yield lines.rows(row for _, row in rows), [pk for pk, _ in rows]


@dataclass
class Written:
    """What returns_write wrote: the files, and how many young people are in each part."""

    paths: list[Path]
    oc3: int = 0
    annex_a: int = 0
    lacking: int = 0


def returns_write(year: int, directory: Path, *, lacking: Callable[[ReturnPerson, list[str]], None],
                  size: int | None = None) -> Written:
    """The three files of `year` for everyone, written side by side a chunk at a time (the same bytes as
    Returns.write); `lacking` is called with each young person who lacks data, in ref order."""
    directory.mkdir(parents=True, exist_ok=True)
    columns = {"header.csv": HEADER_COLUMNS, "oc3.csv": OC3_COLUMNS, "annex_a_list9.csv": annex_a_labels(year).columns}
    written = Written(paths=[directory / name for name in FILE_NAMES])
    lines = {name: CsvLines(columns[name]) for name in FILE_NAMES}
    outs = {name: path.open("w", encoding="utf-8", newline="") for name, path in zip(FILE_NAMES, written.paths, strict=True)}
    try:
        for name, out in outs.items():
            out.write(lines[name].header())
        for chunk in returns_chunks(year, size=size):
            oc3 = [entry.oc3 for entry in chunk if entry.oc3 is not None]
            annex = [entry.annex_a for entry in chunk if entry.annex_a is not None]
            outs["header.csv"].write(lines["header.csv"].rows(row.header for row in oc3))
            outs["oc3.csv"].write(lines["oc3.csv"].rows(row.values for row in oc3))
            outs["annex_a_list9.csv"].write(lines["annex_a_list9.csv"].rows(annex))
            written.oc3 += len(oc3)
            written.annex_a += len(annex)
            for entry in chunk:
                if entry.problems:
                    written.lacking += 1
                    lacking(entry.young_person, entry.problems)
    finally:
        for out in outs.values():
            out.close()
    return written


def _header_problems(yp: ReturnPerson) -> list[str]:
    missing = []
    if not yp.sex:
        missing.append("Sex not recorded.")
    elif yp.sex == "U":
        missing.append("Sex recorded as unknown: the DfE queries this (903 rule 232).")
    if not yp.ethnicity:
        missing.append("Ethnicity not recorded.")
    if not yp.upn:
        missing.append("UPN not recorded (use a DfE unknown code UN2-UN5 when there is none).")
    elif not dfe.upn_is_valid(yp.upn):
        missing.append(f"UPN {yp.upn!r} is not a valid UPN or DfE unknown code.")
    return missing


def _ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")  # noqa: PLR2004  (11th-13th)
    return f"{n}{suffix}"
