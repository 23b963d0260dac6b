"""The young person's page: the case panel of issue 11 (items 6 and 8): who holds the case, cover, closures
and reopenings, and the actions for those who may take them. Two queries (cover, closures); the permissions
read attributes only."""

import rules

from careleavers.models import Allocation, CaseClosure, Cover
from core.dates import british
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
        "covers": list(Cover.objects.filter(young_person=young_person, end__gte=today).select_related("pa")
                       .order_by("start")),
        "closures": list(CaseClosure.objects.filter(young_person=young_person)
                         .select_related("closed_by", "reopened_by").order_by("-closed_on", "-id")),
    }


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
