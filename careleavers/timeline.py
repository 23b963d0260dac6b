"""A young person's timeline: contacts, events, plans, arrangements and case notes, newest first.

One query per kind of record, however long the history.
"""

import datetime as dt
from dataclasses import dataclass

from approvals.models import Arrangement
from contacts.models import Contact
from pathway.models import PathwayPlan

from .models import YoungPerson


@dataclass(frozen=True)
class Entry:
    on: dt.date
    kind: str
    title: str
    detail: str
    obj: object


def timeline_for(young_person: YoungPerson, limit: int = 200) -> list[Entry]:
    entries: list[Entry] = []
    for c in Contact.objects.filter(young_person=young_person).select_related("recorded_by")[:limit]:
        title = f"{c.get_method_display()} with {c.get_with_whom_display().lower()}: {c.get_outcome_display().lower()}"
        if c.voided_at:
            title += " (recorded in error)"
        entries.append(Entry(c.date, "contact", title, c.note, c))
    for e in young_person.events.all()[:limit]:
        entries.append(Entry(e.date, "event", e.get_kind_display(), e.notes, e))
    for p in PathwayPlan.objects.filter(young_person=young_person)[:limit]:
        on = p.review_date or p.created_at.date()
        entries.append(Entry(on, "plan", f"{p.get_kind_display()} v{p.version}: {p.get_state_display()}", "", p))
    for a in Arrangement.objects.filter(young_person=young_person)[:limit]:
        on = a.active_from or a.requested_at.date()
        entries.append(Entry(on, "arrangement", f"{a.get_kind_display()}: {a.get_state_display()}", "", a))
    for n in young_person.case_notes.select_related("author")[:limit]:
        entries.append(Entry(n.created_at.date(), "note", n.subject, n.text, n))
    entries.sort(key=lambda e: e.on, reverse=True)
    return entries[:limit]
