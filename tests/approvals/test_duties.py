"""Issue 14, item 2: nobody takes two steps of one arrangement chain (request, Team Leader approval, Service
Leader agreement) whatever their role at each moment; the agreement (R5) re-checks what the approval (R4)
checked: state, team, duties and R1. The roles change between the steps."""

import pytest
from django.urls import reverse

from approvals import services
from approvals.models import ArrangementDecision, ArrangementState, Decision, Step
from approvals.selectors import arrangements_of
from approvals.transitions import APPROVAL_NO_LONGER_STANDS, ARRANGEMENT_TRANSITIONS
from careleavers.models import Role
from core.errors import InvalidState, NotAllowed, ServiceError
from tests.conftest import login
from tests.factories import ArrangementFactory, StaffFactory

from .test_services import ELIGIBLE, approved, request

pytestmark = pytest.mark.django_db


def promote(staff, role, team=None):
    """A change of role (and team) recorded the way the admin records it: a new version of the staff row."""
    staff.role, staff.team = role, team
    staff.save()
    return staff


def test_r5_team_leader_who_approved_then_made_service_leader_cannot_agree(jamie, alice, tess, sol):
    arrangement = approved(jamie, alice, tess)
    promote(tess, Role.SERVICE_LEADER)
    with pytest.raises(NotAllowed, match="already taken another step"):
        services.arrangement_agree(arrangement=arrangement, actor=tess, rationale="Agreed")
    assert "agree" not in ARRANGEMENT_TRANSITIONS.allowed(arrangement, tess.user)
    arrangement.refresh_from_db()
    assert arrangement.state == ArrangementState.TEAM_LEADER_APPROVED
    # Nor may they refuse it: refusing agreement is the Service Leader's step too.
    with pytest.raises(NotAllowed, match="already taken another step"):
        services.arrangement_reject(arrangement=arrangement, actor=tess, rationale="No")
    # Another Service Leader still can.
    services.arrangement_agree(arrangement=arrangement, actor=sol, rationale="Agreed")
    arrangement.refresh_from_db()
    assert arrangement.state == ArrangementState.ACTIVE


def test_r5_team_leader_who_approved_then_made_service_leader_is_refused_on_the_page(client, jamie, alice, tess):
    arrangement = approved(jamie, alice, tess)
    promote(tess, Role.SERVICE_LEADER)
    login(client, tess)
    page = client.get(reverse("approvals:detail", args=[arrangement.pk])).content.decode()
    assert 'formaction="' + reverse("approvals:agree", args=[arrangement.pk]) not in page
    assert client.post(reverse("approvals:agree", args=[arrangement.pk]), {"rationale": "Agreed"}).status_code == 403
    arrangement.refresh_from_db()
    assert arrangement.state == ArrangementState.TEAM_LEADER_APPROVED


def test_r4_pa_who_requested_then_made_team_leader_cannot_approve(jamie, alice, north):
    arrangement = request(jamie, alice)
    promote(alice, Role.TEAM_LEADER, team=north)
    with pytest.raises(NotAllowed, match="Whoever requests"):
        services.arrangement_approve(arrangement=arrangement, actor=alice, rationale="Fine")


def test_r5_pa_who_requested_then_made_service_leader_cannot_agree(jamie, alice, tess):
    arrangement = approved(jamie, alice, tess)
    promote(alice, Role.SERVICE_LEADER)
    with pytest.raises(NotAllowed, match="Whoever requests"):
        services.arrangement_agree(arrangement=arrangement, actor=alice, rationale="Agreed")


def test_r5_the_requester_is_read_from_the_decision_rows_not_only_requested_by(jamie, alice, tess, sol):
    """Whoever a request row names took the request step, even if requested_by says otherwise."""
    arrangement = approved(jamie, alice, tess)
    ArrangementDecision.objects.create(arrangement=arrangement, step=Step.REQUEST, decision=Decision.REQUESTED,
                                       actor=sol, rationale="Also asked")
    with pytest.raises(NotAllowed, match="Whoever requests"):
        services.arrangement_agree(arrangement=arrangement, actor=sol, rationale="Agreed")


def test_r5_service_leader_who_agreed_then_made_team_leader_cannot_decide_a_second_time(jamie, alice, tess, sol, north):
    """The chain read from the rows: a Service Leader step on record bars that person from the Team Leader's."""
    arrangement = request(jamie, alice)
    ArrangementDecision.objects.create(arrangement=arrangement, step=Step.SERVICE_LEADER, decision=Decision.AGREED,
                                       actor=sol, rationale="Pre-agreed")
    promote(sol, Role.TEAM_LEADER, team=north)
    with pytest.raises(NotAllowed, match="already taken another step"):
        services.arrangement_approve(arrangement=arrangement, actor=sol, rationale="Fine")


def test_r5_a_team_leader_may_take_their_own_step_again_only_where_the_state_allows(jamie, alice, tess):
    """Taking the same step twice is not two steps: the refusal is the state's."""
    arrangement = approved(jamie, alice, tess)
    with pytest.raises(InvalidState, match="cannot be approved"):
        services.arrangement_approve(arrangement=arrangement, actor=tess, rationale="again")


def test_r1_e3_team_leader_who_approved_still_reviews(jamie, alice, tess):
    """Reviewing an arrangement put up for review is not a step of the chain: the approver reviews it."""
    arrangement = approved(jamie, alice, tess)
    services.arrangement_review_request(arrangement=arrangement, reason="No response lately", actor=alice)
    services.arrangement_review_continue(arrangement=arrangement, actor=tess, rationale="Spoke to them; fine")


# --- the agreement re-checks the approval: state, team, duties --------------------------------------------------

def test_r5_no_team_leader_approval_on_record_cannot_be_agreed(jamie, alice, sol):
    """A request set to "approved" without a Team Leader's decision row (the admin, an import) is not agreed."""
    arrangement = ArrangementFactory(young_person=jamie, kind="reduced_visits", requested_by=alice,
                                     state=ArrangementState.TEAM_LEADER_APPROVED, details=ELIGIBLE)
    with pytest.raises(InvalidState) as exc:
        services.arrangement_agree(arrangement=arrangement, actor=sol, rationale="Agreed")
    assert str(exc.value) == APPROVAL_NO_LONGER_STANDS
    assert "agree" not in ARRANGEMENT_TRANSITIONS.allowed(arrangement, sol.user)


def test_r5_approval_by_someone_then_not_a_team_leader_cannot_be_agreed(jamie, alice, sol):
    arrangement = request(jamie, alice)
    other_pa = StaffFactory(ref="pat", role=Role.PA, team=alice.team)
    ArrangementDecision.objects.create(arrangement=arrangement, step=Step.TEAM_LEADER, decision=Decision.APPROVED,
                                       actor=other_pa, rationale="I approve")
    arrangement.state = ArrangementState.TEAM_LEADER_APPROVED
    arrangement.save()
    with pytest.raises(InvalidState, match="no longer stands"):
        services.arrangement_agree(arrangement=arrangement, actor=sol, rationale="Agreed")


def test_r5_approver_role_is_read_as_it_was_when_they_approved(jamie, alice, tess, sol, north, south):
    """The Team Leader approved as North's Team Leader; moving on afterwards does not undo the approval."""
    arrangement = approved(jamie, alice, tess)
    promote(tess, Role.TEAM_LEADER, team=south)
    services.arrangement_agree(arrangement=arrangement, actor=sol, rationale="Agreed")
    arrangement.refresh_from_db()
    assert arrangement.state == ArrangementState.ACTIVE


def test_r5_young_person_moved_team_since_the_approval_cannot_be_agreed(jamie, alice, tess, sol, charlie):
    arrangement = approved(jamie, alice, tess)
    jamie.pa = charlie  # reallocated to South: North's approval no longer speaks for them
    jamie.save()
    with pytest.raises(InvalidState, match="moved team"):
        services.arrangement_agree(arrangement=arrangement, actor=sol, rationale="Agreed")
    # The Service Leader can still refuse agreement.
    services.arrangement_reject(arrangement=arrangement, actor=sol, rationale="Needs the new team's view")


def test_r5_r1_is_still_rechecked_at_the_agreement(jamie, alice, tess, sol):
    arrangement = approved(jamie, alice, tess)
    jamie.vulnerable = True
    jamie.save()
    with pytest.raises(ServiceError, match="cannot be agreed"):
        services.arrangement_agree(arrangement=arrangement, actor=sol, rationale="Agreed")


def test_r5_withdrawn_after_approval_cannot_be_agreed(jamie, alice, tess, sol):
    arrangement = approved(jamie, alice, tess)
    services.arrangement_withdraw(arrangement=arrangement, actor=alice, reason="Changed mind")
    with pytest.raises(InvalidState, match="cannot be agreed"):
        services.arrangement_agree(arrangement=arrangement, actor=sol, rationale="Agreed")


def test_r5_chain_actors_come_from_a_prefetch_without_a_query(jamie, alice, tess, django_assert_num_queries):
    approved(jamie, alice, tess)
    arrangement = arrangements_of(jamie)[0]
    with django_assert_num_queries(0):
        assert arrangement.chain_actor_ids == {"request": {alice.pk}, "team_leader": {tess.pk}, "service_leader": set()}
