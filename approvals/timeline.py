"""Arrangements on a young person's timeline (registered in ApprovalsConfig.ready). One query."""

from core.registry import TimelineSource
from core.timeline import Entry

from .models import Arrangement


def arrangement_entries(*, young_person, limit: int) -> list[Entry]:
    entries = []
    for a in Arrangement.objects.filter(young_person=young_person)[:limit]:
        on = a.active_from or a.requested_at.date()
        entries.append(Entry(on, "arrangement", "Arrangement", f"{a.get_kind_display()}: {a.get_state_display()}", "", a))
    return entries


ARRANGEMENTS = TimelineSource("arrangements", arrangement_entries, order=50)
