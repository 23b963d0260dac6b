"""Pathway plans on a young person's timeline (registered in PathwayConfig.ready). One query, or none on the young
person's page, which has read them for its panel (`reads`, issue 16)."""

from core.registry import TimelineSource
from core.timeline import Entry

from .models import PathwayPlan


def plan_entries(*, young_person, limit: int, reads=None) -> list[Entry]:
    # The page's read (pathway.selectors.plans_of) is in the model's order too: newest version first.
    plans = reads["plans"][:limit] if reads is not None else PathwayPlan.objects.filter(young_person=young_person)[:limit]
    entries = []
    for p in plans:
        on = p.review_date or p.created_at.date()
        entries.append(Entry(on, "plan", "Pathway plan", f"{p.get_kind_display()} v{p.version}: {p.get_state_display()}",
                             "", p))
    return entries


plan_entries.takes_reads = True  # type: ignore[attr-defined]  # casework.timeline passes the page's reads

PLANS = TimelineSource("plans", plan_entries, order=40)
