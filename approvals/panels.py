"""The arrangements section of the young person's page: active, pending, actions and past
decisions. Fixed queries: arrangements, their decisions, their step-back checklists."""

from careleavers.models import Role
from careleavers.selectors import staff_for
from core.registry import Panel

from .models import PENDING_STATES, ArrangementKind, ArrangementState
from .selectors import arrangements_of
from .services import REQUESTABLE_KINDS


def arrangement_panel_context(*, request, young_person, today):
    staff = staff_for(request.user)
    arrangements = arrangements_of(young_person)
    active = next((a for a in arrangements if a.state == ArrangementState.ACTIVE), None)
    pending = next((a for a in arrangements if a.state in PENDING_STATES), None)
    is_pa = staff is not None and staff.role == Role.PA
    return {
        "yp": young_person,
        "active": active,
        "pending": pending,
        "past": [a for a in arrangements if a not in (active, pending)],
        "can_request": is_pa and active is None and pending is None,
        "kinds": [(k, ArrangementKind(k).label) for k in REQUESTABLE_KINDS],
    }


ARRANGEMENT_PANEL = Panel(key="arrangements", template="approvals/panel.html", context=arrangement_panel_context, order=30)
