"""Every contacts service writes its audit event in its own transaction (core.audit)."""

import pytest

from contacts import services
from contacts.models import EscalationStep, Method, Outcome
from core.errors import NotAllowed, ServiceError
from core.models import AuditEvent, AuditKind
from tests.careleavers.helpers import days_ago, today, young_person
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def kinds(yp):
    return list(AuditEvent.objects.filter(young_person=yp).order_by("pk").values_list("kind", flat=True))


def test_c1_contact_log_writes_contact_logged(alice):
    yp = young_person(alice)
    contact = services.contact_log(young_person=yp, actor=alice, date=today(), method=Method.PHONE,
                                   outcome=Outcome.COMPLETED)
    event = AuditEvent.objects.get(kind=AuditKind.CONTACT_LOGGED)
    assert (event.actor, event.young_person, event.object_type, event.object_id) == (
        alice, yp, "contacts.contact", str(contact.pk))
    assert event.data["method"] == Method.PHONE
    assert event.data["visit_check"] is False


def test_c1_refused_contact_writes_no_event(alice, charlie):
    yp = young_person(alice)
    with pytest.raises(NotAllowed, match="not on your caseload"):
        services.contact_log(young_person=yp, actor=charlie, date=today(), method=Method.PHONE, outcome=Outcome.COMPLETED)
    with pytest.raises(ServiceError) as excinfo:
        services.contact_log(young_person=yp, actor=alice, date=today(), method="pigeon", outcome=Outcome.COMPLETED)
    assert excinfo.value.field == "method"
    assert not AuditEvent.objects.exists()


def test_contact_void_writes_contact_voided_and_its_case_note(alice):
    yp = young_person(alice)
    contact = ContactFactory(young_person=yp, date=days_ago(2), recorded_by=alice)
    services.contact_void(contact=contact, actor=alice, reason="Wrong young person")
    assert kinds(yp) == [AuditKind.CASE_NOTE_ADDED, AuditKind.CONTACT_VOIDED]
    event = AuditEvent.objects.get(kind=AuditKind.CONTACT_VOIDED)
    assert (event.actor, event.object_id, event.data) == (alice, str(contact.pk), {"reason": "Wrong young person"})


def test_e1_escalation_record_writes_escalation_recorded(alice, tess):
    yp = young_person(alice)
    step = services.escalation_record(young_person=yp, actor=alice, step=EscalationStep.MISSING_REPORTED,
                                      date=today(), note="Reported, ref 42")
    assert kinds(yp) == [AuditKind.CASE_NOTE_ADDED, AuditKind.ESCALATION_RECORDED]
    event = AuditEvent.objects.get(kind=AuditKind.ESCALATION_RECORDED)
    assert (event.actor, event.object_id) == (alice, str(step.pk))
    assert event.data["step"] == EscalationStep.MISSING_REPORTED
