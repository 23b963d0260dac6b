"""Registries the apps above fill, so the pages that compose them (the caseload, the young
person's page, the navigation) never import those apps.

Each app registers in its AppConfig.ready():
- panels: sections of the young person's page, rendered in `order`; a panel's context function
  must run a fixed number of queries;
- timeline sources: functions giving a young person's entries for the timeline;
- readers: records of a young person that several panels or timeline sources use, read once a page (PageReads);
- navigation entries: a label, a URL name and the permission that shows it (never a role).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from .batch import objects_together, one_round_trip, read_objects


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable[..., dict | None]  # (request=, young_person=, today=, reads=) -> dict, or None to hide
    order: int = 100


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    permission: str | None = None  # None: every signed-in member of staff
    order: int = 100
    #: issue 15, item 6: a URL name answering a small badge (the unread count), loaded by htmx after the page so
    #: the menu costs no query on every page.
    badge_url_name: str | None = None


@dataclass(frozen=True)
class TimelineSource:
    key: str
    entries: Callable[..., list]  # (young_person=, limit=) -> list of timeline entries
    order: int = 100
    #: Issue 16: a source whose records are one compiled query gives it here, `(young_person=, limit=, viewer=) ->
    #: core.batch.Read`, so the young person's page sends it with its other reads; `entries` then takes `objects=`.
    read: Callable[..., object] | None = None


_PANELS: dict[str, Panel] = {}
_NAV: dict[str, NavEntry] = {}
_NAV_SORTED: list[tuple[NavEntry, ...]] = []  # nav_entries(), once sorted
_TIMELINE: dict[str, TimelineSource] = {}
_READERS: dict[str, Callable[..., object]] = {}
_COMPILED_READERS: dict[str, Callable[..., object]] = {}


def register_reader(key: str, read: Callable[..., object], *, compiled: Callable[..., object] | None = None) -> None:
    """`read(*, young_person, today)`: records of one young person that more than one part of their page uses (the
    plans: the pathway panel and the timeline), read once per page through `PageReads` (issue 16). `compiled(*,
    young_person, today)`, when the read is one compiled query, gives it as a `core.batch.Read`, so the page can
    send it with its other reads (`PageReads.read_together`)."""
    _READERS[key] = read
    if compiled is not None:
        _COMPILED_READERS[key] = compiled


class PageReads(dict):
    """What the young person's page has read of one young person, shared by its panels and timeline sources
    (issue 16: each read its own, so the plans, arrangements and requirements were read twice). A key is read by its
    registered reader the first time it is asked for, then kept for the rest of the request; the page puts what it
    has read itself (its requirements). Never kept beyond one request: the records it holds are not re-read."""

    def __init__(self, *, young_person, today: dt.date):
        super().__init__()
        self.young_person, self.today = young_person, today
        self._pending: dict = {}

    def __missing__(self, key: str):
        if key in self._pending:
            value = self[key] = read_objects(self._pending.pop(key))
        else:
            value = self[key] = _READERS[key](young_person=self.young_person, today=self.today)
        return value

    def get(self, key: str, default=None):
        """As a dict's, but a read given to read_together and not read yet is read now."""
        return self[key] if key in self._pending else super().get(key, default)

    def read_together(self, reads: dict) -> None:
        """Reads `reads` (key: `core.batch.Read`) and every registered reader that is one compiled query, not read
        yet, in one round trip (core.batch.objects_together), and keeps each under its key. Where they cannot go in
        one round trip (core.batch.one_round_trip: SQLite), each of `reads` is read when first asked for, and the
        registered readers as before, so nothing is read that the page does not use."""
        if not one_round_trip():
            self._pending.update(reads)
            return
        reads = {**{key: compiled(young_person=self.young_person, today=self.today)
                    for key, compiled in _COMPILED_READERS.items() if key not in self}, **reads}
        self.update(zip(reads, objects_together(list(reads.values())), strict=True))


def register_panel(panel: Panel) -> None:
    _PANELS[panel.key] = panel


def register_nav(entry: NavEntry) -> None:
    _NAV[entry.url_name] = entry
    _NAV_SORTED.clear()


def register_timeline(source: TimelineSource) -> None:
    _TIMELINE[source.key] = source


def panels_for(*, request, young_person, today: dt.date, reads: PageReads | None = None) -> list[dict]:
    reads = PageReads(young_person=young_person, today=today) if reads is None else reads
    rendered = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key)):
        context = panel.context(request=request, young_person=young_person, today=today, reads=reads)
        if context is not None:
            rendered.append({"key": panel.key, "template": panel.template, "context": context})
    return rendered


def nav_entries() -> tuple[NavEntry, ...]:
    """The entries in menu order, sorted once after each registration: the same tuple until the next (issue 16: the
    menu is kept per role while its entries are these, core.navigation)."""
    if not _NAV_SORTED:
        _NAV_SORTED.append(tuple(sorted(_NAV.values(), key=lambda e: (e.order, e.label))))
    return _NAV_SORTED[0]


def timeline_sources() -> list[TimelineSource]:
    return sorted(_TIMELINE.values(), key=lambda s: (s.order, s.key))


# issue 15, item 5: the context beside a decision (the Team Leader's and Service Leader's approval and sign-off pages).
# The decision pages (approvals, pathway) sit below the apps that know the whole record, so the app that can read it
# all (casework) registers the one function that builds it, and the decision pages ask for it here.
_DECISION_CONTEXT: list[Callable[..., dict]] = []


def register_decision_context(build: Callable[..., dict]) -> None:
    """`build(*, young_person, today) -> dict`: the young person's situation for whoever decides (fixed queries)."""
    _DECISION_CONTEXT[:] = [build]


def decision_context(*, young_person, today: dt.date) -> dict | None:
    return _DECISION_CONTEXT[0](young_person=young_person, today=today) if _DECISION_CONTEXT else None
