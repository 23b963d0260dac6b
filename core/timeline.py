"""The shapes the apps give a young person's timeline and record history in, so the page that
shows them (casework) never imports those apps' models.

- Timeline: each app registers a core.registry.TimelineSource whose function returns `Entry` rows.
- History: each app with versioned records (django-simple-history) registers a `HistorySource`
  giving the historical rows of one young person's records and a label for each.

A source runs one query whatever the length of the history.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    on: dt.date
    kind: str  # contact, event, escalation, note, plan, arrangement
    kind_label: str
    title: str
    detail: str
    obj: object
    by: str = ""
    voided: bool = False


def staff_name(staff) -> str:
    return staff.name if staff is not None else ""


@dataclass(frozen=True)
class HistorySource:
    key: str
    records: Callable[..., Iterable]  # (young_person=, limit=) -> historical records, with history_user
    label: Callable[[object], str]  # historical record -> what it is a version of
    order: int = 100


_HISTORY: dict[str, HistorySource] = {}


def register_history(source: HistorySource) -> None:
    _HISTORY[source.key] = source


def history_sources() -> list[HistorySource]:
    return sorted(_HISTORY.values(), key=lambda s: (s.order, s.key))
