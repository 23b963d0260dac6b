"""The plan life-cycle table (pathway.transitions, P3): every state x action is allowed to the person
whose step it is, or refused with the services' message; `allowed` per persona is what the plan page offers."""

import pytest
from django.utils import timezone

from core.errors import InvalidState, NotAllowed
from pathway.models import PathwayPlan, PlanAction, PlanDecision, PlanState
from pathway.transitions import PLAN_TRANSITIONS

pytestmark = pytest.mark.django_db

S = PlanState
NEXT = {
    ("edit", S.DRAFT): S.DRAFT,
    ("edit", S.RETURNED): S.RETURNED,
    ("submit", S.DRAFT): S.SUBMITTED,
    ("submit", S.RETURNED): S.SUBMITTED,
    ("return", S.SUBMITTED): S.RETURNED,
    ("sign_off", S.SUBMITTED): S.SIGNED_OFF,
    # P4: the date shared is recorded in any state.
    **{("record_shared", state): state for state in S.values},
}
DOING = {"edit": "edited", "submit": "submitted", "return": "returned", "sign_off": "signed off", "record_shared": "shared"}
PERSONAS = ["alice", "charlie", "tess", "trent", "sol", "hana"]


@pytest.fixture
def personas(alice, charlie, tess, trent, sol, hana):
    return {"alice": alice, "charlie": charlie, "tess": tess, "trent": trent, "sol": sol, "hana": hana}


def plan_in(state, yp, written_by):
    review_date = timezone.localdate() if state == S.SIGNED_OFF else None
    return PathwayPlan.objects.create(young_person=yp, version=1, state=state, created_by=written_by,
                                      review_date=review_date)


def test_the_table_has_exactly_these_actions():
    assert set(PLAN_TRANSITIONS.actions) == set(DOING)


@pytest.mark.parametrize("state", S.values)
@pytest.mark.parametrize("action", sorted(DOING))
def test_p3_every_state_and_action(action, state, jamie, alice, tess):
    plan = plan_in(state, jamie, alice)
    actor = tess if action in ("return", "sign_off") else alice
    if (action, state) in NEXT:
        assert PLAN_TRANSITIONS.check(plan, action, user=actor.user).next_state(plan) == NEXT[action, state]
        assert action in PLAN_TRANSITIONS.allowed(plan, actor.user)
    else:
        with pytest.raises(InvalidState) as exc:
            PLAN_TRANSITIONS.check(plan, action, user=actor.user)
        assert str(exc.value) == f"This plan is {S(state).label.lower()}, so it cannot be {DOING[action]}."
        assert action not in PLAN_TRANSITIONS.allowed(plan, actor.user)


PA_ONLY = "Only the young person's Personal Adviser can write their pathway plan."


@pytest.mark.parametrize(("action", "state", "who", "message"), [
    ("edit", S.DRAFT, "tess", PA_ONLY),
    ("edit", S.DRAFT, "charlie", PA_ONLY),
    ("submit", S.DRAFT, "tess", PA_ONLY),
    ("record_shared", S.SIGNED_OFF, "charlie", PA_ONLY),
    ("sign_off", S.SUBMITTED, "alice", "Only a Team Leader signs off or returns a pathway plan."),
    ("sign_off", S.SUBMITTED, "sol", "Only a Team Leader signs off or returns a pathway plan."),
    ("return", S.SUBMITTED, "hana", "Only a Team Leader signs off or returns a pathway plan."),
    ("sign_off", S.SUBMITTED, "trent", "A Team Leader decides only for young people in their own team."),
    ("return", S.SUBMITTED, "trent", "A Team Leader decides only for young people in their own team."),
    # Someone who could never take the step is told so, whatever the state.
    ("sign_off", S.SIGNED_OFF, "alice", "Only a Team Leader signs off or returns a pathway plan."),
    ("edit", S.SIGNED_OFF, "tess", PA_ONLY),
])
def test_p3_refusals_name_the_rule(action, state, who, message, jamie, alice, personas):
    plan = plan_in(state, jamie, alice)
    with pytest.raises(NotAllowed) as exc:
        PLAN_TRANSITIONS.check(plan, action, user=personas[who].user)
    assert str(exc.value) == message


@pytest.mark.parametrize("action", ["return", "sign_off"])
def test_p3_whoever_wrote_the_plan_never_decides(action, jamie, tess):
    plan = plan_in(S.SUBMITTED, jamie, tess)
    with pytest.raises(NotAllowed, match="Whoever wrote or submitted a plan cannot also decide on it"):
        PLAN_TRANSITIONS.check(plan, action, user=tess.user)


def test_p3_whoever_last_submitted_the_plan_never_decides(jamie, alice, tess):
    plan = plan_in(S.SUBMITTED, jamie, alice)
    PlanDecision.objects.create(plan=plan, action=PlanAction.SUBMITTED, actor=tess)
    with pytest.raises(NotAllowed, match="Whoever wrote or submitted"):
        PLAN_TRANSITIONS.check(plan, "sign_off", user=tess.user)


@pytest.mark.parametrize(("state", "expected"), [
    (S.DRAFT, {"alice": {"edit", "submit", "record_shared"}}),
    (S.RETURNED, {"alice": {"edit", "submit", "record_shared"}}),
    (S.SUBMITTED, {"alice": {"record_shared"}, "tess": {"return", "sign_off"}}),
    (S.SIGNED_OFF, {"alice": {"record_shared"}}),
])
def test_allowed_per_persona(state, expected, jamie, alice, personas):
    plan = plan_in(state, jamie, alice)
    expected = {who: expected.get(who, set()) for who in PERSONAS}
    assert {who: PLAN_TRANSITIONS.allowed(plan, personas[who].user) for who in PERSONAS} == expected


def test_allowed_to_the_writer_who_is_a_team_leader_is_nothing(jamie, tess):
    assert PLAN_TRANSITIONS.allowed(plan_in(S.SUBMITTED, jamie, tess), tess.user) == set()
