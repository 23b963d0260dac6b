"""The arrangement state machine as one table (A, R, S, D rules): state x action -> next state and permission.

The permissions (core.rules) carry the role and segregation-of-duties rules; this table says which
steps exist in which state. approvals.services enforces it; pages show what `allowed` returns.
"""

from core.rules import approval_on_record_stands
from core.transitions import Transition, TransitionTable

from .models import PENDING_STATES, Arrangement, ArrangementKind, ArrangementState

REQUESTED, TL_APPROVED, ACTIVE = ArrangementState.REQUESTED, ArrangementState.TEAM_LEADER_APPROVED, ArrangementState.ACTIVE


def after_team_leader(arrangement: Arrangement) -> str:
    """R5: reduced visits then wait for the Service Leader; a step back (S3) or different needs (D2) start at once."""
    return TL_APPROVED if arrangement.kind == ArrangementKind.REDUCED_VISITS else ACTIVE


def is_step_back(arrangement: Arrangement) -> bool:
    return arrangement.kind == ArrangementKind.STEP_BACK


def is_up_for_review(arrangement: Arrangement) -> bool:
    return arrangement.review_requested_on is not None


def approval_stands(arrangement: Arrangement) -> bool:
    """R5 re-checks R4 (issue 14): what waits for the Service Leader has a Team Leader approval on record that
    still stands (core.rules.approval_on_record_stands). Asked only of an arrangement waiting for them, so a
    record in another state is refused for its state."""
    return arrangement.state != TL_APPROVED or approval_on_record_stands(arrangement)


APPROVAL_NO_LONGER_STANDS = (
    "The Team Leader approval on record no longer stands (it was not given by the Team Leader of the young person's "
    "team then, or the young person has moved team since): the young person's Team Leader must approve again."  # R4
)


ARRANGEMENT_TRANSITIONS = TransitionTable("arrangement", [
    Transition("approve", (REQUESTED,), after_team_leader, "approvals.approve_arrangement", "approved"),
    Transition("agree", (TL_APPROVED,), ACTIVE, "approvals.agree_arrangement", "agreed",
               only_if=approval_stands, otherwise=APPROVAL_NO_LONGER_STANDS),
    # A pending request is rejected by whoever's decision it waits for.
    Transition("reject", (REQUESTED,), ArrangementState.REJECTED, "approvals.reject_arrangement", "rejected"),
    Transition("reject", (TL_APPROVED,), ArrangementState.REJECTED, "approvals.refuse_agreement", "rejected"),
    Transition("withdraw", PENDING_STATES, ArrangementState.WITHDRAWN, "approvals.withdraw_arrangement", "withdrawn"),
    Transition("end", (ACTIVE,), ArrangementState.ENDED, "approvals.end_arrangement", "ended"),
    # S2: the checklist of what was given; the state does not change.
    Transition("record_step_back_item", (*PENDING_STATES, ACTIVE), None, "approvals.record_step_back_item", "updated",
               only_if=is_step_back, otherwise="Only a step back has this checklist."),
    # R1, E3: the Team Leader's review of an arrangement put up for review; it continues (or they end it).
    Transition("continue_after_review", (*PENDING_STATES, ACTIVE), None, "approvals.review_arrangement", "reviewed",
               only_if=is_up_for_review, otherwise="This arrangement is not up for review."),
])
