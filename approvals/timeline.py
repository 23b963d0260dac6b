"""Arrangements on a young person's timeline (registered in ApprovalsConfig.ready). One query, or none on the young
person's page, which has read them for its panel (`reads`, issue 16)."""

from core.registry import TimelineSource
from core.timeline import Entry

from .models import Arrangement


def arrangement_entries(*, young_person, limit: int, reads=None) -> list[Entry]:
    # The page's read (approvals.selectors.arrangements_of) is in the model's order too: newest request first.
    arrangements = (reads["arrangements"][:limit] if reads is not None
                    else Arrangement.objects.filter(young_person=young_person)[:limit])
    entries = []
    for a in arrangements:
        on = a.active_from or a.requested_at.date()
        entries.append(Entry(on, "arrangement", "Arrangement", f"{a.get_kind_display()}: {a.get_state_display()}", "", a))
    return entries


arrangement_entries.takes_reads = True  # type: ignore[attr-defined]  # casework.timeline passes the page's reads

ARRANGEMENTS = TimelineSource("arrangements", arrangement_entries, order=50)
