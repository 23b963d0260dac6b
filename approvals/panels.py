"""The arrangements section of the young person's page: active, pending, actions and past
decisions. Fixed queries: arrangements, their decisions, their step-back checklists, and whether the
person may request one (core.rules)."""

import rules

from core.registry import Panel

from .models import PENDING_STATES, ArrangementKind, ArrangementState
from .selectors import arrangements_of
from .services import REQUESTABLE_KINDS


def arrangement_panel_context(*, request, young_person, today):
    arrangements = arrangements_of(young_person)
    active = next((a for a in arrangements if a.state == ArrangementState.ACTIVE), None)
    pending = next((a for a in arrangements if a.state in PENDING_STATES), None)
    return {
        "yp": young_person,
        "active": active,
        "pending": pending,
        "past": [a for a in arrangements if a not in (active, pending)],
        # One pending and one active at most: a new request waits until both are settled.
        "can_request": active is None and pending is None
        and rules.has_perm("approvals.request_arrangement", request.user, young_person),
        "kinds": [(k, ArrangementKind(k).label) for k in REQUESTABLE_KINDS],
    }


ARRANGEMENT_PANEL = Panel(key="arrangements", template="approvals/panel.html", context=arrangement_panel_context, order=30)
