"""Why a due date is what it is (issue 10, item 2), told on the young person's page from the rows the
page has already read: the stored requirement rows (their `basis`), the timeline's events and
arrangements, and the active pack. The engine (compliance/engine.py) decides the dates; this only
reads them back, in the engine's terms:

- interval: the last time the requirement was met plus its interval, or, when it was never met since
  the pattern started, from that start (V3): allocation, the start of an arrangement, or the day an
  arrangement ended and the standard pattern started again;
- event: an event pulled it forward (T6, T7, P1, reg 8(2)(a)): which event, on which day;
- escalation: unanswered contacts (E3): due at once, until a visit is made.
"""

import datetime as dt
from collections.abc import Iterable

from core.dates import british
from core.templatetags.rule_links import RULE_ID

ENDED = "ended"


def _event_for(requirement, events: list, windows: dict[tuple[str, str], tuple[int, str]]):
    """The event that brought `requirement` forward: one the pack ties to it, after it was last met, whose
    window ends on the due date (or, when it came before the pattern started, the earliest such event)."""
    candidates = [
        (e, windows[(e.kind, requirement.code)]) for e in events
        if (e.kind, requirement.code) in windows and (requirement.last_met is None or e.date > requirement.last_met)
        and e.date + dt.timedelta(days=windows[(e.kind, requirement.code)][0]) <= requirement.due
    ]
    exact = [c for c in candidates if c[0].date + dt.timedelta(days=c[1][0]) == requirement.due]
    return min(exact or candidates, key=lambda c: (c[0].date, c[0].pk), default=None)


def _pattern_start(requirement, young_person, arrangements: list) -> str:
    """V3: where the interval was counted from, when it was not the last time the requirement was met."""
    start = requirement.due - dt.timedelta(days=requirement.interval_days)
    for a in arrangements:
        if a.state == ENDED and a.ended_on == start:
            return (f"The standard pattern started again on {british(start)}, when the "
                    f"{a.get_kind_display().lower()} arrangement ended.")  # V3
    for a in arrangements:
        if a.active_from == start and a.state in ("active", ENDED):
            return f"Counted from the start of the {a.get_kind_display().lower()} arrangement on {british(start)}."  # V3
    if start == young_person.standard_pattern_from:
        return f"Counted from {british(start)}, when the standard pattern resumed."  # V3
    if start == young_person.allocated_on:
        return f"Counted from allocation on {british(start)}."  # V3
    return f"Counted from {british(start)}."  # V3


def due_reasons(requirements: Iterable, *, young_person, events: list, arrangements: list,
                pack_events: Iterable[tuple[str, str, int, str]], attempts: int) -> None:
    """Set `reason` on each requirement row. `pack_events`: the active pack's (event kind, requirement,
    window, rule) rows; `attempts`: the pack's E3 setting."""
    windows = {(kind, code): (days, rule) for kind, code, days, rule in pack_events}
    live_events = [e for e in events if e.voided_at is None]
    for r in requirements:
        if r.basis == "escalation":
            r.reason = (f"Due at once: {attempts} contacts in a row unanswered. "  # E3
                        "It stays due until a visit is made.")
            continue
        if r.basis == "allocation":  # issue 11, item 1
            start = young_person.referred_on or r.due
            r.reason = (f"Waiting for a Personal Adviser since registration on {british(start)}: "
                        f"a PA is allocated within {r.interval_days} days.")
            continue
        if r.basis == "event":
            found = _event_for(r, live_events, windows)
            if found is None:
                r.reason = "Brought forward by an event."
            else:
                event, (days, rule) = found
                law = f" ({rule})" if rule and not RULE_ID.fullmatch(rule) else ""  # "reg 8(2)(a)"; T6, T7, P1 stay out
                r.reason = (f"Brought forward by the event “{event.get_kind_display()}” on {british(event.date)}: "
                            f"due within {days} days{law}.")
            continue
        every = f"Every {r.interval_days} days" if r.interval_days else ""
        counted_from = r.due - dt.timedelta(days=r.interval_days) if r.interval_days else None
        if r.last_met is not None and counted_from == r.last_met:
            r.reason = f"{every} since it was last met."
        elif counted_from is not None:
            r.reason = f"{every}. {_pattern_start(r, young_person, arrangements)}"
        else:
            r.reason = ""
