"""Every plan service writes its audit event in its own transaction (O2): who, about whom, which
plan and version, the state from and to, and the comments. A refused step writes nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from core.errors import ServiceError
from core.models import AuditEvent, AuditKind
from pathway import services

from .helpers import READY
from .test_services import submitted_plan, write

pytestmark = pytest.mark.django_db


def event(kind) -> AuditEvent:
    return AuditEvent.objects.get(kind=kind)


def assert_about(audit: AuditEvent, plan, actor) -> None:
    assert (audit.actor, audit.young_person, audit.object_type, audit.object_id, audit.data["version"]) == (
        actor, plan.young_person, "pathway.pathwayplan", str(plan.pk), plan.version)


def test_p3_start_is_audited(jamie, alice):
    plan = services.plan_start(young_person=jamie, actor=alice)
    audit = event(AuditKind.PLAN_STARTED)
    assert_about(audit, plan, alice)
    assert (audit.data["state_from"], audit.data["state_to"], audit.data["prefilled_from"]) == ("", "draft", None)


def test_p5_edit_is_audited_with_the_sections_changed(jamie, alice):
    plan = services.plan_start(young_person=jamie, actor=alice)
    write(plan, alice)
    audit = event(AuditKind.PLAN_UPDATED)
    assert_about(audit, plan, alice)
    assert audit.data["sections_changed"] == sorted(READY)  # issue 13: the structured fields too


def test_p2_submit_is_audited_with_the_due_date_and_lateness(jamie, alice):
    plan = submitted_plan(jamie, alice)
    audit = event(AuditKind.PLAN_SUBMITTED)
    assert_about(audit, plan, alice)
    assert (audit.data["state_from"], audit.data["state_to"]) == ("draft", "submitted")
    assert (audit.data["review_due"], audit.data["late_to_team_leader"]) == (plan.review_due.isoformat(), False)


def test_p3_return_is_audited_with_comments(jamie, alice, tess):
    plan = services.plan_return(plan=submitted_plan(jamie, alice), actor=tess, comments="Add the housing plan.")
    audit = event(AuditKind.PLAN_RETURNED)
    assert_about(audit, plan, tess)
    assert (audit.data["state_from"], audit.data["state_to"], audit.data["comments"]) == (
        "submitted", "returned", "Add the housing plan.")


def test_p3_sign_off_is_audited_with_the_review_date(jamie, alice, tess):
    plan = services.plan_sign_off(plan=submitted_plan(jamie, alice), actor=tess, comments="Good plan.")
    audit = event(AuditKind.PLAN_SIGNED_OFF)
    assert_about(audit, plan, tess)
    assert (audit.data["state_from"], audit.data["state_to"], audit.data["review_date"], audit.data["comments"]) == (
        "submitted", "signed_off", timezone.localdate().isoformat(), "Good plan.")


def test_p4_sharing_is_audited(jamie, alice):
    plan = services.plan_start(young_person=jamie, actor=alice)
    day = timezone.localdate() - dt.timedelta(days=1)
    services.plan_record_shared(plan=plan, actor=alice, shared_on=day)
    audit = event(AuditKind.PLAN_SHARED)
    assert_about(audit, plan, alice)
    assert audit.data["shared_on"] == day.isoformat()


def test_p3_a_refused_step_writes_no_audit_event(jamie, alice, tess):
    plan = submitted_plan(jamie, alice)
    with pytest.raises(ServiceError):
        services.plan_return(plan=plan, actor=tess, comments=" ")
    with pytest.raises(ServiceError):
        services.plan_sign_off(plan=plan, actor=alice)
    assert not AuditEvent.objects.filter(kind__in=[AuditKind.PLAN_RETURNED, AuditKind.PLAN_SIGNED_OFF]).exists()
