"""Reads of compliance data. Status is derived from stored dates at read time."""

import datetime as dt

from django.db import connection
from django.db.models import Count, DateField, F, IntegerField, Max, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone

from careleavers.models import Circumstance, LegalStatus, YoungPerson
from core.dates import british

from .engine import refresh_summary, requirements_as_of, summary_date
from .models import (
    LATEST_DUE_FIRST,
    CaseloadSummary,
    PackRequirement,
    Requirement,
    RequirementCode,
    Status,
    Trigger,
)
from .status import status_expression, status_for


def requirements_with_status(queryset: QuerySet[Requirement] | None = None, *, today: dt.date | None = None):
    today = today or timezone.localdate()
    queryset = Requirement.objects.all() if queryset is None else queryset
    return queryset.annotate(status=status_expression(today))


URGENCY_ORDER: dict[str, int] = {Status.OVERDUE: 0, Status.DUE_SOON: 1, Status.OK: 2}


def order_by_urgency(people: QuerySet, *, today: dt.date | None = None) -> QuerySet:
    """Young people most urgent first (V4), read from their stored CaseloadSummary row (issue 16).

    A person's urgency is their worst status (overdue if their earliest due date has passed, due
    soon if a scheduling window has opened, else on track; nothing due last), then the due date
    of their most urgent requirement, then ref. Annotates `urgency` and `next_due`; the caller brings
    the summary up to date first when the calendar may have moved past it (`engine.ensure_summary`)."""
    return people.annotate(
        urgency=F("caseload_summary__urgency"), next_due=F("caseload_summary__next_due"),
    ).order_by(*URGENCY_SORT)


#: The caseload's order, most urgent first (V4), over the summary's index (issue 16).
URGENCY_SORT = (F("urgency").asc(nulls_last=True), F("next_due").asc(nulls_last=True), "ref")


#: The caseload's sorts over the whole service's open cases (issue 16), each the order of one of CaseloadSummary's
#: indexes (`closed` leads them), read forwards or backwards, so a page at any number reads 25 index entries past
#: its offset and nothing else. "-status" reads the urgency index backwards: the people with no due date are all
#: "nothing due" (urgency 3), so where the nulls go among the dates changes nothing.
SUMMARY_ORDERS: dict[str, tuple] = {
    "status": ("urgency", "next_due", "ref"),
    "-status": ("-urgency", "-next_due", "-ref"),
    "due": (F("next_due").asc(nulls_last=True), "ref"),
    "-due": (LATEST_DUE_FIRST, "ref"),
    "name": ("name", "ref"),
    "-name": ("-name", "-ref"),
    "age": ("-date_of_birth", "-ref"),  # youngest first
    "-age": ("date_of_birth", "ref"),
}


def open_summaries(sort: str = "status") -> QuerySet[CaseloadSummary]:
    """The summary rows of every open case in one of the caseload's orders (SUMMARY_ORDERS), from its index."""
    return CaseloadSummary.objects.filter(closed=False).order_by(*SUMMARY_ORDERS[sort])


def open_case_totals(*, today: dt.date | None = None) -> dict[str, int]:
    """The whole service's open cases from the summary: how many (`open`), requirements overdue and due soon,
    and people with something overdue (V2, V4). First, everyone has a summary row (people recorded without a
    recompute get theirs now): the whole service's caseload pages over the summary alone, so it must hold
    everyone. One query when it does: on PostgreSQL the few rows of the totals its triggers keep (CaseloadTotals,
    issue 16: not a pass over everyone's summary on every page), elsewhere the pass itself.

    With `today`, the summary is first brought up to date for it, as engine.ensure_summary does: the day it is true
    for is read in the same query as the totals (issue 16: one query a page, not two), and only when the calendar
    has moved past it are the summary refreshed and the totals read again."""
    read = _kept_totals_and_day if connection.vendor == "postgresql" else _summary_totals_and_day
    as_of, totals = read()
    if today is not None and as_of != today:
        refresh_summary(today, previous=as_of)  # engine.ensure_summary, with the day already read
        as_of, totals = read()
    if totals["everyone"] != totals["summaries"]:
        missing = list(YoungPerson.objects.filter(caseload_summary__isnull=True).values_list("pk", flat=True))
        if missing:
            refresh_summary(None, missing)
            _as_of, totals = read()
    return {"open": int(totals["open"] or 0), "overdue": int(totals["overdue_rows"] or 0),
            "due_soon": int(totals["due_soon_rows"] or 0), "overdue_people": int(totals["overdue_people"] or 0)}


#: The keys of summary_totals, in the order _KEPT_TOTALS_SQL reads them after the summary's day.
_TOTALS_KEYS = ("everyone", "summaries", "open", "overdue_rows", "due_soon_rows", "overdue_people")

#: kept_totals and the summary's day in one statement (issue 16: constant SQL, nothing for the ORM to build or compile
#: on each page).
_KEPT_TOTALS_SQL = (
    "SELECT (SELECT as_of FROM compliance_summarydate WHERE id = 1), SUM(young_people), SUM(summaries), SUM(open), "
    "SUM(overdue_rows), SUM(due_soon_rows), SUM(overdue_people) FROM compliance_caseloadtotals"
)


def _kept_totals_and_day() -> tuple[dt.date | None, dict]:
    with connection.cursor() as cursor:
        cursor.execute(_KEPT_TOTALS_SQL)
        as_of, *sums = cursor.fetchone()
    return as_of, dict(zip(_TOTALS_KEYS, sums, strict=True))


def _summary_totals_and_day() -> tuple[dt.date | None, dict]:
    totals = summary_totals(with_day=True)
    as_of = totals.pop("as_of")
    if not totals["summaries"]:  # an aggregate over no summary row gives no day either: read it on its own
        as_of = summary_date()
    return as_of, totals


def kept_totals() -> dict:
    """The totals as CaseloadTotals keeps them (PostgreSQL), in the keys of summary_totals."""
    return _kept_totals_and_day()[1]


def summary_day() -> RawSQL:
    """The day the summary is true for (SummaryDate, engine.summary_date) as an expression of another query (issue 16:
    read beside the counts at the top, not as a query of its own)."""
    return RawSQL("SELECT as_of FROM compliance_summarydate WHERE id = 1", (), output_field=DateField())


def summary_totals(*, with_day: bool = False) -> dict:
    """The totals in one pass over the summary (and a count of the young people): what CaseloadTotals keeps.
    `with_day`: and the day the summary is true for (`as_of`), in the same query."""
    is_open = Q(closed=False)
    people = RawSQL("SELECT COUNT(*) FROM careleavers_youngperson", (), output_field=IntegerField())
    day = {"as_of": Max(summary_day())} if with_day else {}
    return CaseloadSummary.objects.aggregate(
        everyone=Max(people), summaries=Count("pk"), open=Count("pk", filter=is_open),
        overdue_rows=Sum("overdue", filter=is_open), due_soon_rows=Sum("due_soon", filter=is_open),
        overdue_people=Count("pk", filter=is_open & Q(overdue__gt=0)), **day)


def most_urgent(requirements, *, today: dt.date):
    """The most urgent of one person's requirement rows: worst status, then earliest due, then code
    (the row whose due date order_by_urgency sorts by), or None."""
    return min(
        requirements,
        key=lambda r: (URGENCY_ORDER[status_for(r.due, r.due_soon_from, today)], r.due, r.code),
        default=None,
    )


def report_rows(as_of: dt.date) -> list[dict]:
    """The CONTRACT.md compliance report: computed as of the date, sorted by ref then code."""
    return [
        {
            "young_person": row.ref,
            "requirement": row.code,
            "last_met": row.last_met.isoformat() if row.last_met else None,
            "due": row.due.isoformat(),
            "status": row.status_on(as_of),
            "days_overdue": row.days_overdue_on(as_of),
        }
        for row in requirements_as_of(as_of)
    ]


def due_summary(young_person) -> str:
    """What is due next, read back after a write so the person sees the new date at once."""
    rows = young_person.requirements.order_by("due", "code")
    parts = [f"{r.get_code_display()} due {british(r.due)}" for r in rows]
    return ("Now: " + "; ".join(parts) + ".") if parts else "Nothing is due."



def pack_intervals_for(young_person, *, on: dt.date | None = None, arrangement_kind: str | None = None) -> dict[str, int]:
    """The active pack's interval for each interval requirement that applies to the young person on `on`
    (their arrangement in force and circumstance, as the engine picks them), before any override: what a
    manager's agreed interval is compared with (T4, reg 7). Two queries (one when `arrangement_kind` names
    the arrangement to read the pack for: a plan carrying a request, issue 13)."""
    on = on or timezone.localdate()
    row: tuple | None = (arrangement_kind,) if arrangement_kind else None
    if arrangement_kind is None:
        # The arrangement in force, read by table name as the engine reads it (compliance imports no app above).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT kind FROM approvals_arrangement WHERE young_person_id = %s AND state IN ('active', 'ended')"
                " AND active_from <= %s AND (ended_on IS NULL OR ended_on > %s) ORDER BY active_from DESC LIMIT 1",
                [young_person.pk, on, on],
            )
            row = cursor.fetchone()
    circumstance = young_person.circumstance
    if circumstance == Circumstance.HIGHER_EDUCATION and on < young_person.birthday_21:
        circumstance = Circumstance.STANDARD  # T5 from the 21st birthday
    rows = PackRequirement.objects.filter(
        pack__is_active=True, arrangement_kind=row[0] if row else "standard", circumstance=circumstance,
        trigger=Trigger.INTERVAL,
    )
    if young_person.legal_status == LegalStatus.QUALIFYING:
        rows = rows.exclude(requirement=RequirementCode.PATHWAY_REVIEW)  # no pathway plan duty (section 24)
    return {code: days for code, days in rows.values_list("requirement", "interval_days") if days}
