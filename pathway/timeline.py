"""Pathway plans on a young person's timeline (registered in PathwayConfig.ready). One query."""

from core.registry import TimelineSource
from core.timeline import Entry

from .models import PathwayPlan


def plan_entries(*, young_person, limit: int) -> list[Entry]:
    entries = []
    for p in PathwayPlan.objects.filter(young_person=young_person)[:limit]:
        on = p.review_date or p.created_at.date()
        entries.append(Entry(on, "plan", "Pathway plan", f"{p.get_kind_display()} v{p.version}: {p.get_state_display()}",
                             "", p))
    return entries


PLANS = TimelineSource("plans", plan_entries, order=40)
