"""The young person's page: the case panel of issue 11 (items 6 and 8): who holds the case, cover, closures
and reopenings, and the actions for those who may take them. Two queries (cover, closures); the permissions
read attributes only."""

from functools import lru_cache

import rules

from careleavers.models import Allocation, CaseClosure, Cover
from core.dates import british
from core.prepared import DATE, INT, Prepared
from core.timeline import HistorySource

ACTIONS = (
    ("careleavers.allocate", "allocate"),
    ("careleavers.set_cover", "cover"),
    ("careleavers.close_case", "close"),
    ("careleavers.reopen_case", "reopen"),
    ("careleavers.record_extended_support", "s3"),
)


def case_panel(*, request, young_person, today, reads=None):
    can = {key: rules.has_perm(perm, request.user, young_person) for perm, key in ACTIONS}
    closed = young_person.closed_on is not None
    return {
        "yp": young_person,
        "today": today,
        "closed": closed,
        "can_allocate": can["allocate"] and not closed,
        "can_cover": can["cover"] and not closed and young_person.pa_id is not None,
        "can_close": can["close"] and not closed,
        "can_reopen": can["reopen"] and closed,
        "can_s3": can["s3"] and not closed and not young_person.extended_support_requested_on,
        # Issue 16: on the young person's page, read with the other panels' rows (casework.young_person_reads).
        "covers": case_covers(young_person_id=young_person.pk, today=today,
                              rows=reads["casework_rows"]["covers"] if reads is not None else None),
        "closures": case_closures(young_person_id=young_person.pk,
                                  rows=reads["casework_rows"]["closures"] if reads is not None else None),
    }


# Issue 16: the panel's two queries and the page's allocations are the same on every request but for the young
# person (and today): compiled once per process (core.prepared) and read as the values shown, one dict a row (the
# template's lookups are dict keys, which it tries first), not model instances.

COVER_COLUMNS = ("pa_name", "start", "end", "reason")
CLOSURE_COLUMNS = ("closed_on", "reason", "details", "closed_by_name", "reopened_on", "reopened_by_name",
                   "reopen_reason")
ALLOCATION_COLUMNS = ("pa_name", "start", "end", "reason")


@lru_cache(maxsize=1)
def prepared_covers() -> Prepared:
    return Prepared(lambda young_person_id, today: Cover.objects.filter(young_person_id=young_person_id, end__gte=today)
                    .order_by("start").values_list("pa__name", "start", "end", "reason"),
                    young_person_id=INT, today=DATE)


@lru_cache(maxsize=1)
def prepared_closures() -> Prepared:
    return Prepared(lambda young_person_id: CaseClosure.objects.filter(young_person_id=young_person_id)
                    .order_by("-closed_on", "-id").values_list(
                        "closed_on", "reason", "details", "closed_by__name", "reopened_on", "reopened_by__name",
                        "reopen_reason"),
                    young_person_id=INT)


@lru_cache(maxsize=1)
def prepared_allocations() -> Prepared:
    return Prepared(lambda young_person_id: Allocation.objects.filter(young_person_id=young_person_id)
                    .order_by("-start").values_list("pa__name", "start", "end", "reason"),
                    young_person_id=INT)


def case_covers(*, young_person_id: int, today, rows=None) -> list[dict]:
    """The cover in force or to come, by start: `pa_name`, `start`, `end`, `reason` (issue 11, item 6); `rows`: the
    query's rows when already read."""
    if rows is None:
        rows = prepared_covers().rows(young_person_id=young_person_id, today=today)
    return [dict(zip(COVER_COLUMNS, row, strict=True)) for row in rows]


def case_closures(*, young_person_id: int, rows=None) -> list[dict]:
    """Every closure and reopening, newest first (issue 11, item 8); `reason_label` is get_reason_display's."""
    labels = dict(CaseClosure._meta.get_field("reason").flatchoices)
    closures = []
    for row in prepared_closures().rows(young_person_id=young_person_id) if rows is None else rows:
        closure = dict(zip(CLOSURE_COLUMNS, row, strict=True))
        closure["reason_label"] = str(labels.get(closure["reason"], closure["reason"]))
        closures.append(closure)
    return closures


def case_allocations(*, young_person_id: int, rows=None) -> list[dict]:
    """Every allocation, newest first: `pa_name`, `start`, `end`, `reason` (the young person's page)."""
    if rows is None:
        rows = prepared_allocations().rows(young_person_id=young_person_id)
    return [dict(zip(ALLOCATION_COLUMNS, row, strict=True)) for row in rows]


# The record's history page (casework.timeline.history_for): every version of each closure and reopening,
# allocation and cover, so the history shows each closure and reopening (issue 11, item 8).


def closure_versions(*, young_person, limit: int):
    return CaseClosure.history.filter(young_person_id=young_person.pk).select_related(
        "history_user", "history_user__staff")[:limit]


def closure_version_label(record) -> str:
    label = f"Closure from {british(record.closed_on)} ({record.get_reason_display().lower()})"
    return label + (f", reopened {british(record.reopened_on)}" if record.reopened_on else "")


def allocation_versions(*, young_person, limit: int):
    return Allocation.history.filter(young_person_id=young_person.pk).select_related(
        "history_user", "history_user__staff")[:limit]


def allocation_version_label(record) -> str:
    return f"Allocation from {british(record.start)}" + (f" to {british(record.end)}" if record.end else "")


def cover_versions(*, young_person, limit: int):
    return Cover.history.filter(young_person_id=young_person.pk).select_related(
        "history_user", "history_user__staff")[:limit]


def cover_version_label(record) -> str:
    return f"Cover from {british(record.start)} to {british(record.end)}"


CLOSURE_HISTORY = HistorySource("closures", closure_versions, closure_version_label, order=40)
ALLOCATION_HISTORY = HistorySource("allocations", allocation_versions, allocation_version_label, order=41)
COVER_HISTORY = HistorySource("covers", cover_versions, cover_version_label, order=42)
