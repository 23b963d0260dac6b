"""Reads of compliance data. Status is derived from stored dates at read time."""

import datetime as dt

from django.db.models import Case, CharField, F, OuterRef, QuerySet, Subquery, Value, When
from django.utils import timezone

from .engine import requirements_as_of
from .models import Requirement, Status


def status_expression(today: dt.date, due: str = "due", due_soon_from: str = "due_soon_from") -> Case:
    """The SQL twin of engine.status_for (V2, V4, P2)."""
    return Case(
        When(**{f"{due}__lt": today}, then=Value(Status.OVERDUE)),
        When(**{f"{due_soon_from}__lte": today}, then=Value(Status.DUE_SOON)),
        default=Value(Status.OK),
        output_field=CharField(),
    )


def urgency_rank(today: dt.date, due: str = "due", due_soon_from: str = "due_soon_from") -> Case:
    from django.db.models import IntegerField

    return Case(
        When(**{f"{due}__lt": today}, then=Value(0)),
        When(**{f"{due_soon_from}__lte": today}, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def requirements_with_status(queryset: QuerySet[Requirement] | None = None, *, today: dt.date | None = None):
    today = today or timezone.localdate()
    queryset = Requirement.objects.all() if queryset is None else queryset
    return queryset.annotate(status=status_expression(today), days_overdue=Value(0))


def annotate_most_urgent(people: QuerySet, *, today: dt.date | None = None) -> QuerySet:
    """Each young person with their most urgent requirement (earliest due), in one query."""
    today = today or timezone.localdate()
    first = Requirement.objects.filter(young_person=OuterRef("pk")).order_by("due", "code")
    return people.annotate(
        next_code=Subquery(first.values("code")[:1]),
        next_due=Subquery(first.values("due")[:1]),
        next_due_soon_from=Subquery(first.values("due_soon_from")[:1]),
    ).annotate(
        next_status=status_expression(today, "next_due", "next_due_soon_from"),
        urgency=urgency_rank(today, "next_due", "next_due_soon_from"),
    ).order_by(F("urgency").asc(nulls_last=True), F("next_due").asc(nulls_last=True), "ref")


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
