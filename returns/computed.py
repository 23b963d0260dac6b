"""Issue 16, item 2: the returns worked out once and stored (X1, X2), read by the Returns page.

build_returns (returns.exports) stays the one definition of the returns; this module runs it for the
whole service and stores what the page shows: the counts and, set-based, one row per young person who
lacks data. The page then reads the latest computation of a year in a fixed number of queries."""

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from careleavers.models import YoungPerson

from .exports import build_returns
from .models import ReturnsComputation, ReturnsLackingRow
from .windows import collection_year_of

#: Rows written per INSERT.
BATCH = 2000


def years_due(today: dt.date) -> list[int]:
    """The years the nightly run works out: the last year that has ended (the one due for return) and this one."""
    current = collection_year_of(today)
    return [current - 1, current]


def returns_compute(*, year: int, run: str) -> ReturnsComputation:
    """Works out the returns of `year` for the whole service and stores them; the rows of that year's
    earlier computations (derived data, not a record) are removed in the same transaction."""
    returns = build_returns(year)
    with transaction.atomic():
        computation = ReturnsComputation.objects.create(
            year=year, computed_at=timezone.now(), run=run[:120], oc3_count=len(returns.oc3),
            annex_a_count=len(returns.annex_a), lacking_count=len(returns.lacking))
        ReturnsLackingRow.objects.bulk_create(
            (ReturnsLackingRow(computation=computation, young_person_id=yp.pk, ref=yp.ref, problems=messages)
             for yp, messages in returns.lacking), batch_size=BATCH)
        ReturnsLackingRow.objects.filter(computation__year=year).exclude(computation=computation).delete()
    return computation


def latest_computation(year: int) -> ReturnsComputation | None:
    return ReturnsComputation.objects.filter(year=year).order_by("-computed_at", "-pk").first()


def lacking_rows(computation: ReturnsComputation, people: QuerySet[YoungPerson]) -> QuerySet[ReturnsLackingRow]:
    """The stored rows of a computation about the young people in `people` (whom the reader may see),
    in ref order, each with its young person and Personal Adviser in the same query."""
    return (computation.rows.filter(young_person__in=people)
            .select_related("young_person", "young_person__pa").order_by("ref"))
