"""The pathway plan life-cycle (P3) as one table: state x action -> next state and permission.

draft (PA) -> submitted -> signed off (Team Leader), or returned with comments -> submitted again.
The permissions (core.rules) carry the role and segregation-of-duties rules; pathway.services
enforces the table; pages show what `allowed` returns.
"""

from core.transitions import Transition, TransitionTable

from .models import PlanState

EDITABLE = (PlanState.DRAFT, PlanState.RETURNED)

PLAN_TRANSITIONS = TransitionTable("plan", [
    Transition("edit", EDITABLE, None, "pathway.edit_plan", "edited"),
    Transition("submit", EDITABLE, PlanState.SUBMITTED, "pathway.submit_plan", "submitted"),
    Transition("return", (PlanState.SUBMITTED,), PlanState.RETURNED, "pathway.return_plan", "returned"),
    Transition("sign_off", (PlanState.SUBMITTED,), PlanState.SIGNED_OFF, "pathway.sign_off_plan", "signed off"),
    # P4: when it was shared is a fact about the plan, not its content: recorded in any state.
    Transition("record_shared", tuple(PlanState.values), None, "pathway.record_plan_shared", "shared"),
])
