"""Issue 16, item 2: the returns worked out once and stored (X1, X2), read by the Returns page.

returns_chunks (returns.exports) stays the one definition of the returns; this module runs it for the
whole service and stores what the page shows: the counts and, set-based, one row per young person who
lacks data. The page then reads the latest computation of a year in a fixed number of queries."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from careleavers.models import YoungPerson

from .exports import returns_chunks
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
    oc3 = annex_a = 0
    lacking: list[tuple[int, str, list[str]]] = []
    for chunk in returns_chunks(year):  # issue 16: the rows of the files are counted, not kept
        for entry in chunk:
            oc3 += entry.oc3 is not None
            annex_a += entry.annex_a is not None
            if entry.problems:
                lacking.append((entry.young_person.pk, entry.young_person.ref, entry.problems))
    with transaction.atomic():
        computation = ReturnsComputation.objects.create(
            year=year, computed_at=timezone.now(), run=run[:120], oc3_count=oc3, annex_a_count=annex_a,
            lacking_count=len(lacking))
        ReturnsLackingRow.objects.bulk_create(
            (ReturnsLackingRow(computation=computation, young_person_id=pk, ref=ref, problems=messages)
             for pk, ref, messages in lacking), batch_size=BATCH)
        ReturnsLackingRow.objects.filter(computation__year=year).exclude(computation=computation).delete()
    return computation


def latest_computation(year: int) -> ReturnsComputation | None:
    return ReturnsComputation.objects.filter(year=year).order_by("-computed_at", "-pk").first()


#: Rows of the Returns page's "lack data" list shown at a time.
PAGE_SIZE = 50


@dataclass
class LackingPage:
    """One page of a computation's rows in ref order, paged by keyset over `ref` (issue 16): a link names the ref
    it continues after (or comes before), so a late page reads 50 index entries past that ref, not an offset of
    thousands, and its links stay right however the list grows. `count` is stored with the computation."""

    rows: list[ReturnsLackingRow]
    count: int
    has_previous: bool
    has_next: bool

    @property
    def first_ref(self) -> str:
        return self.rows[0].ref if self.rows else ""

    @property
    def last_ref(self) -> str:
        return self.rows[-1].ref if self.rows else ""


def lacking_page(computation: ReturnsComputation, people: QuerySet[YoungPerson], *, after: str = "", before: str = "",
                 last: bool = False, size: int | None = None) -> LackingPage:
    """The rows about the young people in `people` (whom the reader may see) after the ref `after`, or before
    `before`, or the last page, or the first; each with its young person and Personal Adviser. One query (one
    more row than shown, to know whether another page follows) when the reader sees everyone, whose count is
    the computation's own; two otherwise (their count)."""
    size = size or PAGE_SIZE
    rows = computation.rows.select_related("young_person", "young_person__pa")
    everyone = not people.query.where
    if not everyone:
        rows = rows.filter(young_person__in=people.values("pk"))
    count = computation.lacking_count if everyone else rows.count()
    if before or last:
        found = list((rows.filter(ref__lt=before) if before else rows).order_by("-ref")[:size + 1])
        more = len(found) > size
        return LackingPage(rows=found[:size][::-1], count=count, has_previous=more, has_next=bool(before))
    found = list((rows.filter(ref__gt=after) if after else rows).order_by("ref")[:size + 1])
    return LackingPage(rows=found[:size], count=count, has_previous=bool(after), has_next=len(found) > size)
