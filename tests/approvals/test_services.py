"""Arrangement services: each transition's guard (state, role, requester, other team) by rule ID."""

import datetime as dt

import pytest
from django.utils import timezone

from approvals import services
from approvals.models import Arrangement, ArrangementDecision, ArrangementState, Decision, Step, StepBackItem
from careleavers.models import CaseNote, Notification
from core.errors import InvalidState, NotAllowed, ServiceError
from tests.factories import ArrangementFactory, StaffFactory
from tests.pathway.helpers import make_young_person, requirement_codes

pytestmark = pytest.mark.django_db

R2 = {
    "wish_and_reasons": "Busy with work; wants less contact.",
    "understands_contact_continues": True,
    "agrees_to_respond": True,
    "agrees_to_report_changes": True,
    "knows_can_contact_service": True,
}
ELIGIBLE = {"asked_for_it": True, "low_support_needs": True, **R2}
STEP_BACK = {"attempts_to_engage": "Letters 1, 8 and 15 March; calls.", "light_touch_offer": "Cards and texts",
             "young_persons_wish": "Does not want a PA."}
DIFFERENT_NEEDS = {"would_not_understand_pa_role": True, "lives_in_specialist_home": True,
                   "no_unaddressed_independence_needs": True,
                   "agreed_by": [{"name": "Dr Lee", "role": "professional"}, {"name": "Mum", "role": "family or carer"}],
                   # D3: what the family was given and told.
                   "family_given_local_offer": True, "family_given_contact_details": True,
                   "family_told_can_ask_for_more_support": True}


def request(yp, pa, kind="reduced_visits", details=None, **kwargs):
    details = ELIGIBLE if details is None else details
    return services.arrangement_request(young_person=yp, kind=kind, details=details, keeping_in_touch="Phone monthly",
                                        actor=pa, **kwargs)


def approved(yp, pa, tl):
    return services.arrangement_approve(arrangement=request(yp, pa), actor=tl, rationale="Low needs, settled.")


def all_given(arrangement, pa, *, except_for=()):
    """S2: the PA records every checklist item as given today (but `except_for`)."""
    for item in StepBackItem.values:
        if item not in except_for:
            services.step_back_item_record(arrangement=arrangement, item=item, given_on=timezone.localdate(), actor=pa)
    return arrangement


# --- R1, R2: request ----------------------------------------------------------------------------

def test_r2_request_records_the_conversation_and_alerts_team_leader(jamie, alice, tess, trent):
    arrangement = request(jamie, alice)
    assert (arrangement.state, arrangement.requested_by, arrangement.details["wish_and_reasons"]) == (
        ArrangementState.REQUESTED, alice, R2["wish_and_reasons"])
    assert arrangement.decisions.get().decision == Decision.REQUESTED
    assert CaseNote.objects.filter(young_person=jamie, text__contains="Busy with work").exists()
    assert list(Notification.objects.filter(kind="arrangement_requested").values_list("recipient", flat=True)) == [tess.pk]


def test_r2_request_without_the_conversation_is_refused(jamie, alice):
    with pytest.raises(ServiceError, match="Record the conversation"):  # R2
        request(jamie, alice, details={**ELIGIBLE, "agrees_to_respond": False})
    assert not Arrangement.objects.exists()


def test_r1_refused_under_18(alice):
    yp = make_young_person(alice, age=17)
    with pytest.raises(ServiceError, match="18 or over"):
        request(yp, alice)
    assert not Arrangement.objects.exists()


def test_r1_refused_when_neither_asked_nor_long_term_linked(jamie, alice):
    with pytest.raises(ServiceError) as exc:
        request(jamie, alice, details={**ELIGIBLE, "asked_for_it": False})
    assert len(exc.value.reasons) == 1


def test_r1_long_term_linked_and_used_to_reduced_contact_is_enough(jamie, alice):
    assert request(jamie, alice, details={**ELIGIBLE, "asked_for_it": False, "long_term_linked": True}).pk


def test_r1_never_if_vulnerable(alice):
    yp = make_young_person(alice, vulnerable=True)
    with pytest.raises(ServiceError, match="vulnerable"):
        request(yp, alice)


def test_r1_never_if_at_risk(jamie, alice):
    with pytest.raises(ServiceError, match="at risk"):
        request(jamie, alice, details={**ELIGIBLE, "at_risk": True})


def test_r1_refused_unless_low_needs_or_community_resources(jamie, alice):
    with pytest.raises(ServiceError, match="support needs"):
        request(jamie, alice, details={**ELIGIBLE, "low_support_needs": False})
    assert request(jamie, alice, details={**ELIGIBLE, "low_support_needs": False, "needs_met_by_community": True}).pk


def test_r1_over_21_needs_no_support_needs_assessment(alice):
    yp = make_young_person(alice, age=22, extended_support=True)
    assert request(yp, alice, details={**ELIGIBLE, "low_support_needs": False}).pk


def test_r1_all_reasons_are_given_together(alice):
    yp = make_young_person(alice, age=17, vulnerable=True)
    with pytest.raises(ServiceError) as exc:
        request(yp, alice, details=R2)
    assert len(exc.value.reasons) == 4


def test_a_team_leader_cannot_request(jamie, tess):
    with pytest.raises(NotAllowed):
        request(jamie, tess)


def test_a_other_teams_pa_cannot_request(jamie, charlie):
    with pytest.raises(NotAllowed):
        request(jamie, charlie)


def test_a_only_one_pending_request(jamie, alice):
    request(jamie, alice)
    with pytest.raises(InvalidState, match="waiting"):
        request(jamie, alice, kind="step_back", details=STEP_BACK)


def test_a_new_kind_while_one_is_active_says_end_the_current_first(jamie, alice):
    ArrangementFactory(young_person=jamie, kind="step_back", active_from=timezone.localdate())
    with pytest.raises(InvalidState, match="end the current arrangement first"):
        request(jamie, alice)


def test_a_standard_is_not_requestable(jamie, alice):
    with pytest.raises(ServiceError):
        request(jamie, alice, kind="standard", details={})


# --- R3, R4: Team Leader ------------------------------------------------------------------------

def test_r4_team_leader_approves_with_rationale_case_note_and_alerts_service_leaders(jamie, alice, tess, sol):
    arrangement = approved(jamie, alice, tess)
    assert arrangement.state == ArrangementState.TEAM_LEADER_APPROVED
    assert arrangement.active_from is None
    decision = arrangement.decisions.get(step=Step.TEAM_LEADER)
    assert (decision.decision, decision.actor, decision.rationale) == (Decision.APPROVED, tess, "Low needs, settled.")
    assert CaseNote.objects.filter(young_person=jamie, author=tess, text__contains="Low needs, settled.").exists()
    assert Notification.objects.filter(kind="arrangement_approved", recipient=sol).exists()
    assert "visit" in requirement_codes(jamie)  # R5: nothing changes before the Service Leader agrees


def test_r4_rationale_is_required(jamie, alice, tess):
    with pytest.raises(ServiceError):
        services.arrangement_approve(arrangement=request(jamie, alice), actor=tess, rationale=" ")


def test_a_other_teams_leader_cannot_approve(jamie, alice, trent):
    arrangement = request(jamie, alice)
    with pytest.raises(NotAllowed, match="own team"):
        services.arrangement_approve(arrangement=arrangement, actor=trent, rationale="ok")
    arrangement.refresh_from_db()
    assert arrangement.state == ArrangementState.REQUESTED


def test_a_pa_cannot_approve(jamie, alice):
    other_pa = StaffFactory(role="pa", team=alice.team)
    with pytest.raises(NotAllowed):
        services.arrangement_approve(arrangement=request(jamie, alice), actor=other_pa, rationale="ok")


def test_a_service_leader_cannot_take_the_team_leaders_step(jamie, alice, sol):
    with pytest.raises(NotAllowed):
        services.arrangement_approve(arrangement=request(jamie, alice), actor=sol, rationale="ok")


def test_a_requester_never_approves(jamie, tess):
    arrangement = Arrangement.objects.create(young_person=jamie, kind="step_back", requested_by=tess, details=STEP_BACK)
    with pytest.raises(NotAllowed, match="requests"):
        services.arrangement_approve(arrangement=arrangement, actor=tess, rationale="ok")


def test_a_approved_request_cannot_be_approved_again(jamie, alice, tess):
    arrangement = approved(jamie, alice, tess)
    with pytest.raises(InvalidState):
        services.arrangement_approve(arrangement=arrangement, actor=tess, rationale="again")


def test_r1_checked_again_at_approval(jamie, alice, tess):
    arrangement = request(jamie, alice)
    jamie.vulnerable = True
    jamie.save()
    with pytest.raises(ServiceError):
        services.arrangement_approve(arrangement=arrangement, actor=tess, rationale="ok")


# --- R5, R6: Service Leader ---------------------------------------------------------------------

def test_r5_arrangement_active_only_after_service_leader_agrees(jamie, alice, tess, sol):
    today = timezone.localdate()
    arrangement = services.arrangement_agree(arrangement=approved(jamie, alice, tess), actor=sol, rationale="Agreed.")
    assert (arrangement.state, arrangement.active_from) == (ArrangementState.ACTIVE, today)
    # R6: contacts replace visits at once, due 8 weeks from the start (V3).
    assert requirement_codes(jamie) == {"contact", "pathway_review"}
    assert jamie.requirements.get(code="contact").due == today + dt.timedelta(days=56)
    assert CaseNote.objects.filter(young_person=jamie, author=sol, subject__contains="agreed by Service Leader").exists()  # R5
    recipients = set(Notification.objects.filter(kind="arrangement_agreed").values_list("recipient", flat=True))
    assert recipients == {alice.pk, tess.pk}


def test_r5_team_leader_cannot_agree(jamie, alice, tess):
    with pytest.raises(NotAllowed):
        services.arrangement_agree(arrangement=approved(jamie, alice, tess), actor=tess, rationale="ok")


def test_r5_head_of_service_does_not_replace_service_leader(jamie, alice, tess, hana):
    with pytest.raises(NotAllowed):
        services.arrangement_agree(arrangement=approved(jamie, alice, tess), actor=hana, rationale="ok")


def test_r5_service_leader_cannot_skip_the_team_leader(jamie, alice, sol):
    with pytest.raises(InvalidState):
        services.arrangement_agree(arrangement=request(jamie, alice), actor=sol, rationale="ok")


def test_r5_service_leader_who_requested_cannot_agree(jamie, sol):
    arrangement = Arrangement.objects.create(young_person=jamie, kind="reduced_visits", requested_by=sol,
                                             state=ArrangementState.TEAM_LEADER_APPROVED, details=ELIGIBLE)
    with pytest.raises(NotAllowed):
        services.arrangement_agree(arrangement=arrangement, actor=sol, rationale="ok")


def test_r5_rationale_is_required(jamie, alice, tess, sol):
    with pytest.raises(ServiceError):
        services.arrangement_agree(arrangement=approved(jamie, alice, tess), actor=sol, rationale="")


# --- rejection ----------------------------------------------------------------------------------

def test_a_team_leader_rejects_and_nothing_changes(jamie, alice, tess):
    before = requirement_codes(jamie)
    arrangement = services.arrangement_reject(arrangement=request(jamie, alice), actor=tess, rationale="Needs support.")
    assert arrangement.state == ArrangementState.REJECTED
    assert requirement_codes(jamie) == before
    assert Notification.objects.filter(kind="arrangement_rejected", recipient=alice).exists()
    assert request(jamie, alice).pk  # a new request may follow


def test_a_service_leader_rejects_after_team_leader_approval(jamie, alice, tess, sol):
    arrangement = services.arrangement_reject(arrangement=approved(jamie, alice, tess), actor=sol, rationale="No.")
    assert arrangement.state == ArrangementState.REJECTED
    assert arrangement.decisions.last().step == Step.SERVICE_LEADER
    assert "visit" in requirement_codes(jamie)


def test_a_team_leader_cannot_reject_what_waits_for_service_leader(jamie, alice, tess):
    with pytest.raises(NotAllowed):
        services.arrangement_reject(arrangement=approved(jamie, alice, tess), actor=tess, rationale="No.")


def test_a_other_teams_leader_cannot_reject(jamie, alice, trent):
    with pytest.raises(NotAllowed):
        services.arrangement_reject(arrangement=request(jamie, alice), actor=trent, rationale="No.")


def test_a_rejected_request_cannot_be_rejected_again(jamie, alice, tess):
    arrangement = services.arrangement_reject(arrangement=request(jamie, alice), actor=tess, rationale="No.")
    with pytest.raises(InvalidState):
        services.arrangement_reject(arrangement=arrangement, actor=tess, rationale="No.")


def test_a_pa_withdraws_pending_request(jamie, alice, tess):
    arrangement = services.arrangement_withdraw(arrangement=request(jamie, alice), actor=alice, reason="Changed mind")
    assert arrangement.state == ArrangementState.WITHDRAWN
    with pytest.raises(NotAllowed):
        services.arrangement_withdraw(arrangement=arrangement, actor=tess, reason="x")


# --- ending -------------------------------------------------------------------------------------

def test_a_ending_returns_the_standard_pattern(jamie, alice, tess, sol):
    arrangement = services.arrangement_agree(arrangement=approved(jamie, alice, tess), actor=sol, rationale="ok")
    ended = services.arrangement_end(arrangement=arrangement, actor=alice, reason="Wants visits again.")
    assert (ended.state, ended.ended_on, ended.end_reason) == (ArrangementState.ENDED, timezone.localdate(),
                                                               "Wants visits again.")
    assert requirement_codes(jamie) == {"visit", "pathway_review"}
    assert ended.decisions.last().decision == Decision.ENDED


def test_a_only_active_arrangements_end(jamie, alice):
    with pytest.raises(InvalidState):
        services.arrangement_end(arrangement=request(jamie, alice), actor=alice, reason="x")


def test_a_other_teams_leader_cannot_end(jamie, trent):
    arrangement = ArrangementFactory(young_person=jamie, kind="step_back")
    with pytest.raises(NotAllowed):
        services.arrangement_end(arrangement=arrangement, actor=trent, reason="x")


def test_a_end_needs_a_reason(jamie, alice):
    arrangement = ArrangementFactory(young_person=jamie, kind="step_back")
    with pytest.raises(ServiceError):
        services.arrangement_end(arrangement=arrangement, actor=alice, reason="")


# --- step back (S1-S6) --------------------------------------------------------------------------

def test_s1_step_back_needs_the_attempts_to_engage(jamie, alice):
    with pytest.raises(ServiceError, match="attempts made to engage"):  # S1
        request(jamie, alice, kind="step_back", details={**STEP_BACK, "attempts_to_engage": ""})


def test_s3_team_leader_activates_step_back_and_keeping_in_touch_applies(jamie, alice, tess):
    arrangement = request(jamie, alice, kind="step_back", details={**STEP_BACK, "conduit": {"name": "Aunt May"}})
    all_given(arrangement, alice)  # S2
    arrangement = services.arrangement_approve(arrangement=arrangement, actor=tess, rationale="Wish respected.")
    assert (arrangement.state, arrangement.active_from) == (ArrangementState.ACTIVE, timezone.localdate())
    assert requirement_codes(jamie) == {"keeping_in_touch", "pathway_review"}  # S5
    assert arrangement.details["conduit"] == {"name": "Aunt May"}  # S6


def test_s2_items_given_are_recorded_once_with_their_date(jamie, alice):
    arrangement = request(jamie, alice, kind="step_back", details=STEP_BACK)
    day = timezone.localdate()
    record = services.step_back_item_record(arrangement=arrangement, item=StepBackItem.LOCAL_OFFER, given_on=day, actor=alice)
    assert (record.item, record.given_on, record.recorded_by) == ("local_offer", day, alice)
    with pytest.raises(InvalidState):
        services.step_back_item_record(arrangement=arrangement, item=StepBackItem.LOCAL_OFFER, given_on=day, actor=alice)
    with pytest.raises(ServiceError):
        services.step_back_item_record(arrangement=arrangement, item=StepBackItem.VISIT_OFFER,
                                       given_on=day + dt.timedelta(days=1), actor=alice)


def test_s2_checklist_only_for_step_back(jamie, alice):
    with pytest.raises(InvalidState):
        services.step_back_item_record(arrangement=request(jamie, alice), item="local_offer",
                                       given_on=timezone.localdate(), actor=alice)


def test_s2_other_teams_pa_cannot_record_items(jamie, alice, charlie):
    arrangement = request(jamie, alice, kind="step_back", details=STEP_BACK)
    with pytest.raises(NotAllowed):
        services.step_back_item_record(arrangement=arrangement, item="local_offer", given_on=timezone.localdate(),
                                       actor=charlie)


def test_s2_open_door_letter_has_pa_managers_and_office_details(jamie, alice, tess, sol, settings):
    settings.SERVICE_OFFICE_PHONE = "01234 567890"
    letter = services.open_door_letter(arrangement=request(jamie, alice, kind="step_back", details=STEP_BACK))
    assert (letter["yp"], letter["pa"], letter["team_leaders"], letter["service_leaders"]) == (jamie, alice, [tess], [sol])
    assert letter["office_phone"] == "01234 567890"


# --- different needs (D1-D4) --------------------------------------------------------------------

def test_d1_all_three_criteria_are_required(jamie, alice):
    with pytest.raises(ServiceError, match="specialist staffed home"):
        request(jamie, alice, kind="different_needs", details={**DIFFERENT_NEEDS, "lives_in_specialist_home": False})


def test_d2_who_agreed_is_required(in_specialist_home, jamie, alice):
    with pytest.raises(ServiceError, match="who agreed"):  # D2
        request(jamie, alice, kind="different_needs", details={**DIFFERENT_NEEDS, "agreed_by": []})


def test_d3_team_leader_oversight_activates_different_needs_pattern(in_specialist_home, jamie, alice, tess):
    arrangement = request(jamie, alice, kind="different_needs", details=DIFFERENT_NEEDS)
    services.arrangement_approve(arrangement=arrangement, actor=tess, rationale="Pattern agreed in oversight.")
    assert requirement_codes(jamie) == {"lead_worker_contact", "family_contact", "pathway_review"}


# --- O2 -----------------------------------------------------------------------------------------

def test_o2_whole_chain_is_recorded_with_who_and_why(jamie, alice, tess, sol):
    arrangement = services.arrangement_agree(arrangement=approved(jamie, alice, tess), actor=sol, rationale="Agreed.")
    services.arrangement_end(arrangement=arrangement, actor=alice, reason="Changed mind")
    rows = list(ArrangementDecision.objects.filter(arrangement=arrangement).values_list("step", "decision", "actor"))
    assert rows == [("request", "requested", alice.pk), ("team_leader", "approved", tess.pk),
                    ("service_leader", "agreed", sol.pk), ("end", "ended", alice.pk)]
