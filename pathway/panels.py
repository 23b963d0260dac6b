"""The pathway plan section of the young person's page: open version, history, actions.

Fixed queries: one for the versions (with who signed them off), whatever the history's length, and
whether the person may start the next version (core.rules).
"""

import rules

from core.registry import Panel

from .models import OPEN_PLAN_STATES, PlanState
from .selectors import plans_of


def plan_panel_context(*, request, young_person, today, reads=None):
    plans = reads["plans"] if reads is not None else plans_of(young_person)  # read once a page (PathwayConfig)
    open_plan = next((p for p in plans if p.state in OPEN_PLAN_STATES), None)
    last_signed = next((p for p in plans if p.state == PlanState.SIGNED_OFF), None)
    return {
        "yp": young_person,
        "plans": plans,
        "open_plan": open_plan,
        "last_signed": last_signed,
        # P3: one open version at a time.
        "can_start": open_plan is None and rules.has_perm("pathway.start_plan", request.user, young_person),
    }


PLAN_PANEL = Panel(key="pathway", template="pathway/panel.html", context=plan_panel_context, order=20)
