"""Every arrangement service writes its audit event in its own transaction (O2): who, about whom,
which record, the state from and to, and the rationale. A refused step writes nothing."""

import pytest
from django.utils import timezone

from approvals import services
from approvals.models import ArrangementState, StepBackItem
from core.errors import ServiceError
from core.models import AuditEvent, AuditKind

from .test_services import STEP_BACK, all_given, approved, request

pytestmark = pytest.mark.django_db


def event(kind) -> AuditEvent:
    return AuditEvent.objects.get(kind=kind)


def assert_about(audit: AuditEvent, arrangement, actor) -> None:
    assert (audit.actor, audit.young_person, audit.object_type, audit.object_id) == (
        actor, arrangement.young_person, "approvals.arrangement", str(arrangement.pk))


def test_a_request_is_audited(jamie, alice):
    arrangement = request(jamie, alice)
    audit = event(AuditKind.ARRANGEMENT_REQUESTED)
    assert_about(audit, arrangement, alice)
    assert (audit.data["state_from"], audit.data["state_to"], audit.data["arrangement_kind"]) == (
        "", ArrangementState.REQUESTED, "reduced_visits")
    assert audit.data["details"]["asked_for_it"] is True


def test_r4_team_leader_approval_is_audited_with_rationale(jamie, alice, tess):
    arrangement = approved(jamie, alice, tess)
    audit = event(AuditKind.ARRANGEMENT_APPROVED)
    assert_about(audit, arrangement, tess)
    assert (audit.data["state_from"], audit.data["state_to"], audit.data["rationale"]) == (
        "requested", "tl_approved", "Low needs, settled.")


def test_s3_approval_that_activates_is_audited_with_the_start(jamie, alice, tess):
    arrangement = all_given(request(jamie, alice, kind="step_back", details=STEP_BACK), alice)  # S2
    services.arrangement_approve(arrangement=arrangement, actor=tess, rationale="Wish respected.")
    audit = event(AuditKind.ARRANGEMENT_APPROVED)
    assert (audit.data["state_to"], audit.data["active_from"]) == ("active", timezone.localdate().isoformat())


def test_r5_agreement_is_audited(jamie, alice, tess, sol):
    arrangement = services.arrangement_agree(arrangement=approved(jamie, alice, tess), actor=sol, rationale="Agreed.")
    audit = event(AuditKind.ARRANGEMENT_AGREED)
    assert_about(audit, arrangement, sol)
    assert (audit.data["state_from"], audit.data["state_to"], audit.data["rationale"]) == ("tl_approved", "active", "Agreed.")


def test_a_rejection_is_audited(jamie, alice, tess):
    arrangement = services.arrangement_reject(arrangement=request(jamie, alice), actor=tess, rationale="Needs support.")
    audit = event(AuditKind.ARRANGEMENT_REJECTED)
    assert_about(audit, arrangement, tess)
    assert (audit.data["state_from"], audit.data["state_to"], audit.data["rationale"], audit.data["step"]) == (
        "requested", "rejected", "Needs support.", "team_leader")


def test_a_withdrawal_is_audited(jamie, alice):
    arrangement = services.arrangement_withdraw(arrangement=request(jamie, alice), actor=alice, reason="Changed mind")
    audit = event(AuditKind.ARRANGEMENT_WITHDRAWN)
    assert_about(audit, arrangement, alice)
    assert (audit.data["state_from"], audit.data["state_to"], audit.data["rationale"]) == (
        "requested", "withdrawn", "Changed mind")


def test_a_ending_is_audited(jamie, alice, tess, sol):
    arrangement = services.arrangement_agree(arrangement=approved(jamie, alice, tess), actor=sol, rationale="ok")
    services.arrangement_end(arrangement=arrangement, actor=alice, reason="Wants visits again.")
    audit = event(AuditKind.ARRANGEMENT_ENDED)
    assert_about(audit, arrangement, alice)
    assert (audit.data["state_from"], audit.data["state_to"], audit.data["rationale"], audit.data["ended_on"]) == (
        "active", "ended", "Wants visits again.", timezone.localdate().isoformat())


def test_s2_step_back_item_is_audited(jamie, alice):
    arrangement = request(jamie, alice, kind="step_back", details=STEP_BACK)
    day = timezone.localdate()
    record = services.step_back_item_record(arrangement=arrangement, item=StepBackItem.LOCAL_OFFER, given_on=day,
                                            actor=alice)
    audit = event(AuditKind.STEP_BACK_ITEM_RECORDED)
    assert (audit.actor, audit.young_person, audit.object_type, audit.object_id) == (
        alice, jamie, "approvals.stepbackrecord", str(record.pk))
    assert audit.data == {"arrangement_id": arrangement.pk, "item": "local_offer", "given_on": day.isoformat()}


def test_a_refused_step_writes_no_audit_event(jamie, alice, tess):
    arrangement = request(jamie, alice)
    with pytest.raises(ServiceError):
        services.arrangement_approve(arrangement=arrangement, actor=tess, rationale=" ")
    with pytest.raises(ServiceError):
        services.arrangement_approve(arrangement=arrangement, actor=alice, rationale="mine")
    assert not AuditEvent.objects.filter(kind=AuditKind.ARRANGEMENT_APPROVED).exists()
    assert AuditEvent.objects.filter(kind=AuditKind.ARRANGEMENT_REQUESTED).count() == 1
