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
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection
from django.db.models import QuerySet

from careleavers.models import AccommodationPeriod, ActivityPeriod, LegalStatus, YoungPerson
from careleavers.selectors import periods_in_force
from compliance.engine import requirements_sql
from compliance.models import RequirementCode
from contacts.models import InTouchCheck
from core.dates import birthday

from . import dfe
from .annex_a import RETURN_FIELDS, annex_a_row, latest_completed_contacts, latest_in_touch_checks, with_pa_names
from .files import csv_text, csv_write, dmy
from .labels import AnnexALabels, annex_a_labels
from .windows import BirthdayWindow, birthday_in_year, closest_check, collection_year

HEADER_COLUMNS = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
OC3_COLUMNS = ["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"]
FILE_NAMES = ("header.csv", "oc3.csv", "annex_a_list9.csv")


#: X1 (CONTRACT v2, change 6): the OC3 cohort is the DfE's care leavers, relevant and former relevant only.
OC3_LEGAL_STATUSES = (LegalStatus.RELEVANT, LegalStatus.FORMER_RELEVANT)

#: The one CSV writer of the return files (every cell through core.spreadsheets.safe_cell).
_csv = csv_text
__all__ = ["FILE_NAMES", "HEADER_COLUMNS", "OC3_COLUMNS", "Returns", "build_returns", "dmy"]


def british(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


@dataclass
class Oc3Row:
    young_person: YoungPerson
    window: BirthdayWindow
    check: InTouchCheck | None

    @property
    def values(self) -> dict[str, str]:
        yp, check = self.young_person, self.check
        if check is None:
            # X1: with no check recorded around the birthday the young person is not in touch.
            in_touch, activity, accommodation = "NO", "0", "0"
        else:
            in_touch, activity, accommodation = check.in_touch, check.activity, check.accommodation
        return {"CHILD": yp.ref, "DOB": dmy(yp.date_of_birth), "IN_TOUCH": in_touch, "ACTIV": activity, "ACCOM": accommodation}


@dataclass
class Returns:
    year: int
    oc3: list[Oc3Row] = field(default_factory=list)
    annex_a: list[dict[str, str]] = field(default_factory=list)
    #: (young person, what is missing or wrong), for the page shown before exporting.
    lacking: list[tuple[YoungPerson, list[str]]] = field(default_factory=list)
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
        rows = []
        for row in self.oc3:
            yp = row.young_person
            # MOTHER and MC_DOB stay blank: they are not asked of care leavers who were not looked
            # after during the year (903 rule 628), which is everyone this service supports.
            # Not recorded is said with the DfE's own codes: U (sex unknown), NOBT (ethnicity not yet
            # obtained); the page before exporting lists who lacks them.
            rows.append({"CHILD": yp.ref, "SEX": yp.sex or "U", "DOB": dmy(yp.date_of_birth),
                         "ETHNIC": yp.ethnicity or "NOBT", "UPN": yp.upn, "MOTHER": "", "MC_DOB": ""})
        return rows

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


def build_returns(year: int, people: QuerySet[YoungPerson] | None = None) -> Returns:  # noqa: C901, PLR0912
    """Everything the three files and the "lacking data" page need. Queries: the OC3 cohort, its
    in-touch checks, the in-service computation on 31 March, the Annex A people, their latest
    completed contact, their latest in-touch check and (issue 11) the accommodation and activity in force: eight,
    whatever the number of young people."""
    people = YoungPerson.objects.all() if people is None else people
    start, end = collection_year(year)
    result = Returns(year=year)
    problems: dict[int, list[str]] = defaultdict(list)
    by_id: dict[int, YoungPerson] = {}

    # X1: the cohort is the relevant and former relevant young people (the DfE's care leavers: 903 rules
    # 1001, 1007, 1016; CONTRACT v2, change 6) with a 17th-25th birthday in the year (born within these bounds).
    ages = dfe.OC3_AGES + dfe.OC3_IN_TOUCH_ONLY_AGES
    cohort = list(people.filter(legal_status__in=OC3_LEGAL_STATUSES)
                  .filter(date_of_birth__gt=birthday(start, -max(ages) - 1),
                                date_of_birth__lte=birthday(end, -min(ages)))
                  .only(*RETURN_FIELDS).order_by("ref"))
    windows = {yp.pk: w for yp in cohort if (w := birthday_in_year(yp.date_of_birth, year, ages))}
    checks_by_yp: dict[int, list[InTouchCheck]] = defaultdict(list)
    if windows:
        earliest = min(w.opens for w in windows.values())
        latest = max(w.closes for w in windows.values())
        for check in InTouchCheck.objects.filter(young_person__in=list(windows), date__range=(earliest, latest)):
            checks_by_yp[check.young_person_id].append(check)
    for yp in cohort:
        window = windows.get(yp.pk)
        if window is None:
            continue
        check = closest_check(window, checks_by_yp[yp.pk])
        if window.age in dfe.OC3_IN_TOUCH_ONLY_AGES and (check is None or check.in_touch != "YES"):
            continue  # 22nd-25th birthdays are returned only for young people in touch
        result.oc3.append(Oc3Row(yp, window, check))
        by_id[yp.pk] = yp
        problems[yp.pk].extend(_header_problems(yp))
        if check is None:
            problems[yp.pk].append(
                f"No in-touch check recorded around the {_ordinal(window.age)} birthday ({british(window.birthday)}; "
                f"window {british(window.opens)} to {british(window.closes)}): the return says not in touch."
            )
        else:
            for message in dfe.check_problems(in_touch=check.in_touch, activity=check.activity,
                                              accommodation=check.accommodation, age=window.age).values():
                problems[yp.pk].append(f"In-touch check of {british(check.date)}: {message}")

    # X2: everyone in service on 31 March (whoever has a requirement then; a qualifying young person has no
    # pathway_review, so the last review is blank for them).
    in_service, reviews = in_service_on(end)
    annex_people = list(with_pa_names(people.filter(pk__in=list(in_service))).order_by("ref"))
    ids = [yp.pk for yp in annex_people]
    result.annex_a_ids = ids
    last_contacts = latest_completed_contacts(ids, end)
    latest_check = latest_in_touch_checks(ids, end)
    accommodation = periods_in_force(AccommodationPeriod, ids, end)  # issue 11, items 3 and 4
    activity = periods_in_force(ActivityPeriod, ids, end)
    labels = result.labels
    for yp in annex_people:
        check = latest_check.get(yp.pk)
        result.annex_a.append(annex_a_row(labels=labels, young_person=yp, on=end, legal_status=yp.legal_status,
                                          last_review=reviews.get(yp.pk), last_contact=last_contacts.get(yp.pk),
                                          check=check, accommodation=accommodation.get(yp.pk),
                                          activity=activity.get(yp.pk)))
        if yp.pk not in by_id:
            by_id[yp.pk] = yp
            problems[yp.pk].extend(_header_problems(yp))
        if check is None:
            problems[yp.pk].append("No in-touch check recorded: Annex A cannot say whether the council is in touch.")
        if yp.pa_id is None:
            problems[yp.pk].append("No Personal Adviser allocated.")
        if yp.pk in reviews and reviews[yp.pk] is None:
            problems[yp.pk].append("No pathway plan review recorded.")

    result.lacking = [(by_id[pk], messages) for pk, messages in sorted(problems.items(), key=lambda kv: by_id[kv[0]].ref)
                      if messages]
    return result


def in_service_on(day: dt.date) -> tuple[set[int], dict[int, dt.date | None]]:
    """Who is in service on `day` (has a requirement then, X2) and, for those with a pathway review, when it was
    last met: the engine's computation as of the day, aggregated by PostgreSQL or SQLite to one row per young
    person (issue 16: not its 190 000 rows loaded as objects at national scale)."""
    # No parameters: the engine's SQL has its values inlined (and LIKE patterns with %).
    pathway = f"'{RequirementCode.PATHWAY_REVIEW.value}'"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.young_person_id, MAX(CASE WHEN r.code = {pathway} THEN 1 ELSE 0 END), "  # noqa: S608  # nosec B608
            f"MAX(CASE WHEN r.code = {pathway} THEN r.last_met END) FROM ({requirements_sql(day)}) r "
            "GROUP BY r.young_person_id",
        )
        rows = cursor.fetchall()

    def as_date(value) -> dt.date | None:  # SQLite returns text
        return value if value is None or isinstance(value, dt.date) else dt.date.fromisoformat(value)

    return {r[0] for r in rows}, {r[0]: as_date(r[2]) for r in rows if r[1]}


def _header_problems(yp: YoungPerson) -> list[str]:
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
