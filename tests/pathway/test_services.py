"""Pathway plan services: every transition's guard (state, role, segregation, team) by rule ID."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from approvals.models import ArrangementKind
from careleavers.models import CaseNote, Notification
from compliance.models import PolicyPack, Requirement
from core.errors import InvalidState, NotAllowed, ServiceError
from pathway import services
from pathway.models import PathwayPlan, PlanAction, PlanKind, PlanState
from tests.factories import ArrangementFactory, SignedOffPlanFactory

from .helpers import READY, make_young_person, visited

pytestmark = pytest.mark.django_db


def write(plan, actor, **content):
    content = {**READY, **content}
    return services.plan_update(plan=plan, actor=actor, content=content)


def submitted_plan(yp, pa):
    """A plan waiting for sign-off, with the visit before the review made today (reg 8(2)(b))."""
    visited(yp)
    plan = services.plan_start(young_person=yp, actor=pa)
    write(plan, pa)
    return services.plan_submit(plan=plan, actor=pa)


# --- start (P3) ---------------------------------------------------------------------------------

def test_p3_pa_starts_first_version_as_draft(jamie, alice):
    plan = services.plan_start(young_person=jamie, actor=alice)
    assert (plan.version, plan.state, plan.kind, plan.created_by) == (1, PlanState.DRAFT, PlanKind.STANDARD, alice)


def test_p3_next_review_is_new_version_prefilled_from_last_signed_off(jamie, alice, tess):
    first = submitted_plan(jamie, alice)
    services.plan_sign_off(plan=first, actor=tess)
    second = services.plan_start(young_person=jamie, actor=alice)
    assert second.version == 2
    assert second.young_persons_voice == "I want my own flat."
    assert second.state == PlanState.DRAFT
    first.refresh_from_db()
    assert first.state == PlanState.SIGNED_OFF  # the old version is untouched


def test_p3_only_one_open_version(jamie, alice):
    services.plan_start(young_person=jamie, actor=alice)
    with pytest.raises(InvalidState):
        services.plan_start(young_person=jamie, actor=alice)


def test_p3_team_leader_cannot_draft(jamie, tess):
    with pytest.raises(NotAllowed):
        services.plan_start(young_person=jamie, actor=tess)


def test_p3_other_teams_pa_cannot_draft(jamie, charlie):
    with pytest.raises(NotAllowed):
        services.plan_start(young_person=jamie, actor=charlie)


def test_p5_step_back_plan_follows_active_step_back_and_shows_s4(jamie, alice):
    ArrangementFactory(young_person=jamie, kind=ArrangementKind.STEP_BACK)
    plan = services.plan_start(young_person=jamie, actor=alice)
    assert plan.kind == PlanKind.STEP_BACK
    assert "attempts_to_engage" in services.sections_for(plan.kind)
    assert "open_door" in services.sections_for(plan.kind)


def test_d3_different_needs_plan_is_the_brief_plan(jamie, alice):
    ArrangementFactory(young_person=jamie, kind=ArrangementKind.DIFFERENT_NEEDS)
    plan = services.plan_start(young_person=jamie, actor=alice)
    assert plan.kind == PlanKind.DIFFERENT_NEEDS
    brief = services.sections_for(plan.kind)
    # issue 13: the brief plan assesses fewer needs (D3), keeps the voice and the contact arrangements
    assert {"young_persons_voice", "contact_arrangements", "health", "accommodation", "relationships"} <= set(brief)
    assert "money" not in brief and "identity" not in brief
    with pytest.raises(ServiceError):
        services.plan_update(plan=plan, actor=alice, content={"money": "Not in the brief plan"})


# --- save and come back (P5) --------------------------------------------------------------------

def test_p5_draft_saves_sections_and_voice(jamie, alice):
    plan = services.plan_start(young_person=jamie, actor=alice)
    write(plan, alice, health="Registered with a GP.")
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT
    assert (plan.young_persons_voice, plan.health) == ("I want my own flat.", "Registered with a GP.")


def test_p3_submitted_plan_cannot_be_edited(jamie, alice):
    plan = submitted_plan(jamie, alice)
    with pytest.raises(InvalidState):
        write(plan, alice)


def test_p3_signed_off_plan_is_read_only(jamie, alice, tess):
    plan = services.plan_sign_off(plan=submitted_plan(jamie, alice), actor=tess)
    with pytest.raises(InvalidState):
        write(plan, alice, health="changed")


def test_p3_team_leader_cannot_edit_draft(jamie, alice, tess):
    plan = services.plan_start(young_person=jamie, actor=alice)
    with pytest.raises(NotAllowed):
        write(plan, tess)


# --- submit (P2, P3, P5) ------------------------------------------------------------------------

def test_p5_submit_needs_the_young_persons_voice(jamie, alice):
    plan = services.plan_start(young_person=jamie, actor=alice)
    with pytest.raises(ServiceError, match="voice"):
        services.plan_submit(plan=plan, actor=alice)
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT


def test_s4_step_back_plan_needs_s4_content_to_submit(jamie, alice):
    ArrangementFactory(young_person=jamie, kind=ArrangementKind.STEP_BACK)
    plan = services.plan_start(young_person=jamie, actor=alice)
    write(plan, alice, contact_method="visit_offer", contact_every_weeks=13)  # S5: what a step back asks for
    with pytest.raises(ServiceError, match="attempts to engage"):
        services.plan_submit(plan=plan, actor=alice)


def test_p3_submit_sends_to_team_leader_with_notification(jamie, alice, tess, trent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        plan = submitted_plan(jamie, alice)
    assert plan.state == PlanState.SUBMITTED
    assert plan.decisions.get().action == PlanAction.SUBMITTED
    assert list(Notification.objects.filter(kind="plan_submitted").values_list("recipient", flat=True)) == [tess.pk]
    assert [m.to for m in mail.outbox] == [[tess.email]]


def test_p3_team_leader_cannot_submit(jamie, alice, tess):
    plan = services.plan_start(young_person=jamie, actor=alice)
    write(plan, alice)
    with pytest.raises(NotAllowed):
        services.plan_submit(plan=plan, actor=tess)


def test_p3_submitted_plan_cannot_be_submitted_again(jamie, alice):
    plan = submitted_plan(jamie, alice)
    with pytest.raises(InvalidState):
        services.plan_submit(plan=plan, actor=alice)


def test_p2_plan_reaching_team_leader_in_time_is_not_flagged(jamie, alice):
    plan = submitted_plan(jamie, alice)
    due = Requirement.objects.get(young_person=jamie, code="pathway_review").due
    assert plan.review_due == due == timezone.localdate() + dt.timedelta(days=82)
    assert plan.late_to_team_leader is False


def test_p2_plan_reaching_team_leader_within_14_days_of_due_is_flagged(alice):
    yp = make_young_person(alice, allocated_days_ago=172)  # review due in 10 days
    plan = submitted_plan(yp, alice)
    assert plan.review_due == timezone.localdate() + dt.timedelta(days=10)
    assert plan.late_to_team_leader is True


def test_p2_window_comes_from_the_active_policy_pack(alice):
    pack = PolicyPack.objects.get(is_active=True)
    pack.plan_with_team_leader_days = 7
    pack.save()
    yp = make_young_person(alice, allocated_days_ago=172)  # due in 10 days: in time for a 7-day window
    assert submitted_plan(yp, alice).late_to_team_leader is False


def test_p2_due_date_is_the_stored_requirement_row(jamie, alice):
    Requirement.objects.filter(young_person=jamie, code="pathway_review").update(due=timezone.localdate() + dt.timedelta(days=3))
    plan = submitted_plan(jamie, alice)
    assert plan.review_due == timezone.localdate() + dt.timedelta(days=3)
    assert plan.late_to_team_leader is True


def test_p2_resubmission_keeps_the_first_submissions_flag(alice, tess):
    yp = make_young_person(alice, allocated_days_ago=100)
    plan = submitted_plan(yp, alice)
    services.plan_return(plan=plan, actor=tess, comments="Add the housing plan.")
    later = timezone.localdate() + dt.timedelta(days=75)  # 7 days before the due date
    plan = services.plan_submit(plan=plan, actor=alice, today=later)
    assert plan.late_to_team_leader is False


# --- return (P3) --------------------------------------------------------------------------------

def test_p3_team_leader_returns_with_comments_and_pa_is_notified(jamie, alice, tess):
    plan = services.plan_return(plan=submitted_plan(jamie, alice), actor=tess, comments="Add the housing plan.")
    assert plan.state == PlanState.RETURNED
    decision = plan.decisions.get(action=PlanAction.RETURNED)
    assert (decision.actor, decision.comments) == (tess, "Add the housing plan.")
    assert Notification.objects.filter(kind="plan_returned", recipient=alice).exists()
    write(plan, alice, accommodation="Bidding for a flat.")  # a returned plan is editable again
    assert services.plan_submit(plan=plan, actor=alice).state == PlanState.SUBMITTED


def test_p3_return_needs_comments(jamie, alice, tess):
    plan = submitted_plan(jamie, alice)
    with pytest.raises(ServiceError):
        services.plan_return(plan=plan, actor=tess, comments="  ")
    plan.refresh_from_db()
    assert plan.state == PlanState.SUBMITTED


def test_p3_other_teams_leader_cannot_return(jamie, alice, trent):
    with pytest.raises(NotAllowed):
        services.plan_return(plan=submitted_plan(jamie, alice), actor=trent, comments="No")


def test_p3_draft_cannot_be_returned(jamie, alice, tess):
    plan = services.plan_start(young_person=jamie, actor=alice)
    with pytest.raises(InvalidState):
        services.plan_return(plan=plan, actor=tess, comments="No")


# --- sign off (P1, P3) --------------------------------------------------------------------------

def test_p3_sign_off_date_is_review_date_and_requirement_moves(jamie, alice, tess):
    today = timezone.localdate()
    plan = services.plan_sign_off(plan=submitted_plan(jamie, alice), actor=tess, comments="Good plan.")
    assert (plan.state, plan.review_date, plan.signed_off_by) == (PlanState.SIGNED_OFF, today, tess)
    row = Requirement.objects.get(young_person=jamie, code="pathway_review")
    assert (row.last_met, row.due) == (today, today + dt.timedelta(days=182))  # P1, recomputed in the transaction
    assert Notification.objects.filter(kind="plan_signed_off", recipient=alice).exists()
    assert CaseNote.objects.filter(young_person=jamie, subject__contains="signed off").exists()


def test_p3_pa_cannot_sign_off(jamie, alice):
    with pytest.raises(NotAllowed):
        services.plan_sign_off(plan=submitted_plan(jamie, alice), actor=alice)


def test_p3_other_teams_leader_cannot_sign_off(jamie, alice, trent):
    plan = submitted_plan(jamie, alice)
    with pytest.raises(NotAllowed):
        services.plan_sign_off(plan=plan, actor=trent)
    plan.refresh_from_db()
    assert plan.state == PlanState.SUBMITTED


def test_p3_service_leader_does_not_sign_off(jamie, alice, sol):
    with pytest.raises(NotAllowed):
        services.plan_sign_off(plan=submitted_plan(jamie, alice), actor=sol)


def test_p3_whoever_wrote_the_plan_cannot_sign_it_off(jamie, tess):
    plan = PathwayPlan.objects.create(young_person=jamie, version=1, state=PlanState.SUBMITTED, created_by=tess)
    with pytest.raises(NotAllowed):
        services.plan_sign_off(plan=plan, actor=tess)


def test_p3_draft_and_returned_plans_cannot_be_signed_off(jamie, alice, tess):
    plan = services.plan_start(young_person=jamie, actor=alice)
    with pytest.raises(InvalidState):
        services.plan_sign_off(plan=plan, actor=tess)
    write(plan, alice)
    services.plan_submit(plan=plan, actor=alice)
    services.plan_return(plan=plan, actor=tess, comments="More detail")
    with pytest.raises(InvalidState):
        services.plan_sign_off(plan=plan, actor=tess)


def test_p3_signed_off_plan_cannot_be_signed_off_twice(jamie, alice, tess):
    plan = services.plan_sign_off(plan=submitted_plan(jamie, alice), actor=tess)
    with pytest.raises(InvalidState):
        services.plan_sign_off(plan=plan, actor=tess)
    assert plan.decisions.filter(action=PlanAction.SIGNED_OFF).count() == 1


def test_o2_every_step_is_a_decision_row_with_who_and_when(jamie, alice, tess):
    plan = submitted_plan(jamie, alice)
    services.plan_return(plan=plan, actor=tess, comments="Add money")
    services.plan_submit(plan=plan, actor=alice)
    services.plan_sign_off(plan=plan, actor=tess)
    rows = list(plan.decisions.values_list("action", "actor"))
    assert rows == [("submitted", alice.pk), ("returned", tess.pk), ("submitted", alice.pk), ("signed_off", tess.pk)]


# --- shared (P4) --------------------------------------------------------------------------------

def test_p4_pa_records_when_plan_was_shared(jamie, alice, tess):
    plan = services.plan_sign_off(plan=submitted_plan(jamie, alice), actor=tess)
    day = timezone.localdate() - dt.timedelta(days=1)
    plan = services.plan_record_shared(plan=plan, actor=alice, shared_on=day)
    assert plan.shared_with_young_person_on == day
    assert plan.decisions.filter(action=PlanAction.SHARED, actor=alice).exists()


def test_p4_shared_date_cannot_be_in_future(jamie, alice):
    plan = services.plan_start(young_person=jamie, actor=alice)
    with pytest.raises(ServiceError):
        services.plan_record_shared(plan=plan, actor=alice, shared_on=timezone.localdate() + dt.timedelta(days=1))


def test_p4_other_teams_pa_cannot_record_shared(jamie, alice, charlie):
    plan = services.plan_start(young_person=jamie, actor=alice)
    with pytest.raises(NotAllowed):
        services.plan_record_shared(plan=plan, actor=charlie, shared_on=timezone.localdate())


def test_p3_imported_review_is_not_used_to_prefill(jamie, alice):
    SignedOffPlanFactory(young_person=jamie, version=1, imported=True, health="old")
    plan = services.plan_start(young_person=jamie, actor=alice)
    assert (plan.version, plan.health) == (2, "")
