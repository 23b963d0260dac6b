"""The pathway plan section of the young person's page: open version, history, actions.

Fixed queries: one for the versions (with who signed them off), whatever the history's length.
"""

from careleavers.models import Role
from careleavers.selectors import staff_for
from core.registry import Panel

from .models import OPEN_PLAN_STATES, PlanState
from .selectors import plans_of


def plan_panel_context(*, request, young_person, today):
    staff = staff_for(request.user)
    plans = plans_of(young_person)
    open_plan = next((p for p in plans if p.state in OPEN_PLAN_STATES), None)
    last_signed = next((p for p in plans if p.state == PlanState.SIGNED_OFF), None)
    return {
        "yp": young_person,
        "plans": plans,
        "open_plan": open_plan,
        "last_signed": last_signed,
        "can_start": staff is not None and staff.role == Role.PA and open_plan is None,
    }


PLAN_PANEL = Panel(key="pathway", template="pathway/panel.html", context=plan_panel_context, order=20)
