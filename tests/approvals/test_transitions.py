"""The arrangement transition table (approvals.transitions): every state x action is allowed to the
person whose step it is, or refused with the services' message; `allowed` per persona is what the
pages offer (A, R5, S2)."""

import pytest

from approvals.models import ArrangementDecision, ArrangementKind, ArrangementState, Decision, Step
from approvals.transitions import ARRANGEMENT_TRANSITIONS
from careleavers.models import Role, Staff
from core.errors import InvalidState, NotAllowed
from tests.factories import ArrangementFactory, StaffFactory

pytestmark = pytest.mark.django_db

S = ArrangementState
#: (action, state) -> the next state, for every step the table allows; every other pair is refused.
NEXT = {
    ("approve", S.REQUESTED): S.TEAM_LEADER_APPROVED,  # reduced visits wait for the Service Leader (R5)
    ("agree", S.TEAM_LEADER_APPROVED): S.ACTIVE,
    ("reject", S.REQUESTED): S.REJECTED,
    ("reject", S.TEAM_LEADER_APPROVED): S.REJECTED,
    ("withdraw", S.REQUESTED): S.WITHDRAWN,
    ("withdraw", S.TEAM_LEADER_APPROVED): S.WITHDRAWN,
    ("end", S.ACTIVE): S.ENDED,
    ("record_step_back_item", S.REQUESTED): S.REQUESTED,
    ("record_step_back_item", S.TEAM_LEADER_APPROVED): S.TEAM_LEADER_APPROVED,
    ("record_step_back_item", S.ACTIVE): S.ACTIVE,
    # R1, E3: the Team Leader's review of an arrangement put up for review (the state stays).
    ("continue_after_review", S.REQUESTED): S.REQUESTED,
    ("continue_after_review", S.TEAM_LEADER_APPROVED): S.TEAM_LEADER_APPROVED,
    ("continue_after_review", S.ACTIVE): S.ACTIVE,
}
DOING = {"approve": "approved", "agree": "agreed", "reject": "rejected", "withdraw": "withdrawn", "end": "ended",
         "record_step_back_item": "updated", "continue_after_review": "reviewed"}
ACTIONS = sorted(DOING)


def arrangement_in(state, yp, requested_by, kind=ArrangementKind.REDUCED_VISITS):
    active_from = None if state in (S.REQUESTED, S.TEAM_LEADER_APPROVED, S.REJECTED, S.WITHDRAWN) else yp.allocated_on
    arrangement = ArrangementFactory(young_person=yp, kind=kind, state=state, requested_by=requested_by,
                                     active_from=active_from)
    if state == S.TEAM_LEADER_APPROVED:  # R5 agrees only to a Team Leader approval on record (issue 14)
        approver = (Staff.objects.filter(role=Role.TEAM_LEADER, team_id=yp.pa.team_id).first()
                    or StaffFactory(ref="tina", role=Role.TEAM_LEADER, team=yp.pa.team))
        ArrangementDecision.objects.create(arrangement=arrangement, step=Step.TEAM_LEADER, decision=Decision.APPROVED,
                                           actor=approver, rationale="Approved")
    return arrangement


def whose_step(action, state, personas):
    """The persona who may take `action` when the arrangement is in a state where it applies."""
    if action in ("approve", "continue_after_review") or (action == "reject" and state != S.TEAM_LEADER_APPROVED):
        return personas["tess"]
    if action in ("agree", "reject"):
        return personas["sol"]
    return personas["alice"]


@pytest.fixture
def personas(alice, charlie, tess, trent, sol, hana):
    return {"alice": alice, "charlie": charlie, "tess": tess, "trent": trent, "sol": sol, "hana": hana}


def test_the_table_has_exactly_these_actions():
    assert set(ARRANGEMENT_TRANSITIONS.actions) == set(ACTIONS)


@pytest.mark.parametrize("state", S.values)
@pytest.mark.parametrize("action", ACTIONS)
def test_a_every_state_and_action(action, state, jamie, alice, personas):
    kind = ArrangementKind.STEP_BACK if action == "record_step_back_item" else ArrangementKind.REDUCED_VISITS
    arrangement = arrangement_in(state, jamie, alice, kind=kind)
    if action == "continue_after_review":
        arrangement.review_requested_on = jamie.allocated_on
    actor = whose_step(action, state, personas)
    if (action, state) in NEXT:
        transition = ARRANGEMENT_TRANSITIONS.check(arrangement, action, user=actor.user)
        assert transition.next_state(arrangement) == NEXT[action, state]
        assert action in ARRANGEMENT_TRANSITIONS.allowed(arrangement, actor.user)
    else:
        with pytest.raises(InvalidState) as exc:
            ARRANGEMENT_TRANSITIONS.check(arrangement, action, user=actor.user)
        assert str(exc.value) == f"This arrangement is {S(state).label.lower()}, so it cannot be {DOING[action]}."
        assert action not in ARRANGEMENT_TRANSITIONS.allowed(arrangement, actor.user)


@pytest.mark.parametrize("kind", [ArrangementKind.STEP_BACK, ArrangementKind.DIFFERENT_NEEDS])
def test_s3_d2_team_leader_approval_activates_at_once(kind, jamie, alice, tess):
    arrangement = arrangement_in(S.REQUESTED, jamie, alice, kind=kind)
    assert ARRANGEMENT_TRANSITIONS.check(arrangement, "approve", user=tess.user).next_state(arrangement) == S.ACTIVE


def test_s2_checklist_only_for_a_step_back(jamie, alice):
    arrangement = arrangement_in(S.REQUESTED, jamie, alice)
    with pytest.raises(InvalidState, match="Only a step back has this checklist"):
        ARRANGEMENT_TRANSITIONS.check(arrangement, "record_step_back_item", user=alice.user)


@pytest.mark.parametrize(("action", "state", "who", "message"), [
    ("approve", S.REQUESTED, "alice", "Only a Team Leader can decide on this request."),
    ("approve", S.REQUESTED, "sol", "Only a Team Leader can decide on this request."),
    ("approve", S.REQUESTED, "trent", "A Team Leader decides only for young people in their own team."),
    ("reject", S.REQUESTED, "trent", "A Team Leader decides only for young people in their own team."),
    ("reject", S.TEAM_LEADER_APPROVED, "tess", "Only a Service Leader can record agreement to reduced visits."),
    ("agree", S.TEAM_LEADER_APPROVED, "tess", "Only a Service Leader can record agreement to reduced visits."),
    ("agree", S.TEAM_LEADER_APPROVED, "hana", "Only a Service Leader can record agreement to reduced visits."),
    ("withdraw", S.REQUESTED, "tess", "Only the young person's Personal Adviser can withdraw a request."),
    ("withdraw", S.REQUESTED, "charlie", "Only the young person's Personal Adviser can withdraw a request."),
    ("end", S.ACTIVE, "trent", "A Team Leader decides only for young people in their own team."),
    ("end", S.ACTIVE, "charlie", "Only the young person's Personal Adviser can end their arrangement."),
    ("record_step_back_item", S.ACTIVE, "tess", "Only the young person's Personal Adviser records what was given."),
    # Someone who could never take the step is told so, whatever the state.
    ("withdraw", S.WITHDRAWN, "tess", "Only the young person's Personal Adviser can withdraw a request."),
    ("agree", S.REQUESTED, "alice", "Only a Service Leader can record agreement to reduced visits."),
])
def test_a_refusals_name_the_rule(action, state, who, message, jamie, alice, personas):
    kind = ArrangementKind.STEP_BACK if action == "record_step_back_item" else ArrangementKind.REDUCED_VISITS
    arrangement = arrangement_in(state, jamie, alice, kind=kind)
    with pytest.raises(NotAllowed) as exc:
        ARRANGEMENT_TRANSITIONS.check(arrangement, action, user=personas[who].user)
    assert str(exc.value) == message


@pytest.mark.parametrize(("state", "decider", "actions"), [
    (S.REQUESTED, "tess", ["approve", "reject"]),
    (S.TEAM_LEADER_APPROVED, "sol", ["agree", "reject"]),
])
def test_a_whoever_requested_never_decides(state, decider, actions, jamie, personas):
    requester = personas[decider]
    arrangement = arrangement_in(state, jamie, requester)
    for action in actions:
        with pytest.raises(NotAllowed, match="Whoever requests an arrangement cannot also decide on it"):
            ARRANGEMENT_TRANSITIONS.check(arrangement, action, user=requester.user)
    assert ARRANGEMENT_TRANSITIONS.allowed(arrangement, requester.user) == set()


@pytest.mark.parametrize(("state", "kind", "expected"), [
    (S.REQUESTED, ArrangementKind.REDUCED_VISITS, {
        "alice": {"withdraw"}, "tess": {"approve", "reject"}, "sol": set(), "hana": set(), "charlie": set(),
        "trent": set()}),
    (S.TEAM_LEADER_APPROVED, ArrangementKind.REDUCED_VISITS, {
        "alice": {"withdraw"}, "tess": set(), "sol": {"agree", "reject"}, "hana": set(), "charlie": set(),
        "trent": set()}),
    (S.ACTIVE, ArrangementKind.REDUCED_VISITS, {
        "alice": {"end"}, "tess": {"end"}, "sol": {"end"}, "hana": {"end"}, "charlie": set(), "trent": set()}),
    (S.ACTIVE, ArrangementKind.STEP_BACK, {
        "alice": {"end", "record_step_back_item"}, "tess": {"end"}, "sol": {"end"}, "hana": {"end"},
        "charlie": set(), "trent": set()}),
    (S.REQUESTED, ArrangementKind.STEP_BACK, {
        "alice": {"withdraw", "record_step_back_item"}, "tess": {"approve", "reject"}, "sol": set(), "hana": set(),
        "charlie": set(), "trent": set()}),
    (S.REJECTED, ArrangementKind.REDUCED_VISITS, {key: set() for key in ["alice", "tess", "sol", "hana", "charlie", "trent"]}),
    (S.WITHDRAWN, ArrangementKind.REDUCED_VISITS, {key: set() for key in ["alice", "tess", "sol", "hana", "charlie", "trent"]}),
    (S.ENDED, ArrangementKind.STEP_BACK, {key: set() for key in ["alice", "tess", "sol", "hana", "charlie", "trent"]}),
])
def test_allowed_per_persona(state, kind, expected, jamie, alice, personas):
    arrangement = arrangement_in(state, jamie, alice, kind=kind)
    assert {who: ARRANGEMENT_TRANSITIONS.allowed(arrangement, personas[who].user) for who in expected} == expected


def test_allowed_asks_visibility_once(jamie, alice, django_assert_num_queries):
    arrangement = arrangement_in(S.REQUESTED, jamie, alice, kind=ArrangementKind.STEP_BACK)
    with django_assert_num_queries(1):  # can alice see jamie: asked for withdraw, remembered for the checklist
        assert ARRANGEMENT_TRANSITIONS.allowed(arrangement, alice.user) == {"withdraw", "record_step_back_item"}
