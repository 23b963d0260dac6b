"""Issue 16, item 2: the returns worked out once and stored (X1, X2), read by the Returns page.

returns_chunks (returns.exports) stays the one definition of the returns; this module runs it for the
whole service and stores what the page shows: the counts and, set-based, one row per young person who
lacks data. The page then reads the latest computation of a year in a fixed number of queries."""

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from django.db import transaction
from django.db.models import QuerySet, Value
from django.utils import timezone

from careleavers.models import YoungPerson
from core.prepared import INT, TEXT, Prepared
from core.prepared_models import PreparedModels
from core.templatetags.pk_urls import pk_url_for

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
    found = _latest().objects(year=year)
    return found[0] if found else None


@cache
def _latest() -> PreparedModels:
    """Issue 16: the latest computation of a year, compiled once per process (what `.first()` asked for)."""
    # The year as a Value: a PositiveIntegerField compared with a negative number (the stand-ins) is no query at all.
    return PreparedModels(lambda year: ReturnsComputation.objects.filter(year=Value(year)).order_by("-computed_at", "-pk")[:1],
                          year=INT)


#: Rows of the Returns page's "lack data" list shown at a time.
PAGE_SIZE = 50


class LackingRow(NamedTuple):
    """One row of the list as plain values (issue 16: not the stored row, its young person and their PA as three model
    instances); `url` is the young person's page."""

    ref: str
    problems: list[str]
    young_person_id: int
    name: str
    pa_name: str | None
    url: str


#: What a row shows, as LackingRow holds it (but its url).
COLUMNS = ("ref", "problems", "young_person_id", "young_person__name", "young_person__pa__name")
#: A number no id reaches: the young person's link is made with it, once a page, and each id put in its place.
_MARK = 987654321987


@dataclass
class LackingPage:
    """One page of a computation's rows in ref order, paged by keyset over `ref` (issue 16): a link names the ref
    it continues after (or comes before), so a late page reads 50 index entries past that ref, not an offset of
    thousands, and its links stay right however the list grows. `count` is stored with the computation."""

    rows: list[LackingRow]
    count: int
    has_previous: bool
    has_next: bool

    @property
    def first_ref(self) -> str:
        return self.rows[0].ref if self.rows else ""

    @property
    def last_ref(self) -> str:
        return self.rows[-1].ref if self.rows else ""


def _rows_of(rows: QuerySet[ReturnsLackingRow], *, after: str, before: str, last: bool) -> QuerySet:
    """The rows in the page's order: after `after` (or from the first) in ref order, or before `before` (or from the
    last) backwards."""
    if before or last:
        return (rows.filter(ref__lt=before) if before else rows).order_by("-ref").values_list(*COLUMNS)
    return (rows.filter(ref__gt=after) if after else rows).order_by("ref").values_list(*COLUMNS)


@cache
def _everyones_rows(way: str) -> Prepared:
    """Issue 16: a page of a computation's rows for a reader who sees everyone, compiled once per process for each
    way of paging ("first", "after", "before", "last"); the keyset's ref is a parameter (TEXT), as is the limit."""
    def build(computation_id, ref=""):
        return _rows_of(ReturnsLackingRow.objects.filter(computation_id=computation_id),
                        after=ref if way == "after" else "", before=ref if way == "before" else "", last=way == "last")
    return Prepared(build, computation_id=INT, **({"ref": TEXT} if way in ("after", "before") else {}))


def _young_person_link() -> tuple[str, str]:
    """The young person's page's URL either side of the id (reversed once per process and prefix, core pk_urls)."""
    head, _mark, tail = pk_url_for("young_person", _MARK).partition(str(_MARK))
    return head, tail


def lacking_page(computation: ReturnsComputation, people: QuerySet[YoungPerson], *, after: str = "", before: str = "",
                 last: bool = False, size: int | None = None) -> LackingPage:
    """The rows about the young people in `people` (whom the reader may see) after the ref `after`, or before
    `before`, or the last page, or the first; each with its young person's name and Personal Adviser's. One query
    (one more row than shown, to know whether another page follows) when the reader sees everyone, whose count is
    the computation's own; two otherwise (their count)."""
    size = size or PAGE_SIZE
    if not people.query.where:  # everyone: the count is the computation's, the page a prepared read
        count = computation.lacking_count
        way = "before" if before else "last" if last else "after" if after else "first"
        refs = {"ref": before or after} if way in ("before", "after") else {}
        found = _everyones_rows(way).rows(computation_id=computation.pk, limit=size + 1, **refs)
    else:
        rows = computation.rows.filter(young_person__in=people.values("pk"))
        count = rows.count()
        found = list(_rows_of(rows, after=after, before=before, last=last)[:size + 1])
    head, tail = _young_person_link()
    page = [LackingRow(ref, problems, pk, name, pa_name, f"{head}{pk}{tail}") for ref, problems, pk, name, pa_name
            in found[:size]]
    if before or last:
        return LackingPage(rows=page[::-1], count=count, has_previous=len(found) > size, has_next=bool(before))
    return LackingPage(rows=page, count=count, has_previous=bool(after), has_next=len(found) > size)
