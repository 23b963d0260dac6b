"""contacts.services: log, void and escalate (C1-C3, S5, V3, E)."""

import datetime as dt

import pytest
from django.core import mail

from approvals.models import ArrangementKind
from careleavers.models import Accommodation, CaseNote, CaseNoteKind, Notification
from compliance.engine import recompute_young_person
from contacts import services
from contacts.models import Contact, Escalation, EscalationStep, Method, Outcome, Purpose, VisitCheck, With
from core.errors import InvalidState, NotAllowed, ServiceError
from tests.careleavers.helpers import days_ago, requirement, today, young_person
from tests.factories import ArrangementFactory, ContactFactory

pytestmark = pytest.mark.django_db

CHECK = {"health_and_safety": "good", "furnishings_and_kitchen": "adequate", "occupancy": "good", "trend": "same"}
SHORT_TERM = {"cooking": "adequate", "laundry": "concern", "house_rules": "good", "overall_suitability": "unsuitable"}


def log(yp, actor, **overrides):
    values = {"young_person": yp, "actor": actor, "date": today(), "method": Method.HOME_VISIT,
              "outcome": Outcome.COMPLETED, "note": "Seen at home.", "visit_check": CHECK}
    values.update(overrides)
    return services.contact_log(**values)


def test_v3_completed_home_visit_moves_the_visit_due_date_at_once(alice):
    yp = young_person(alice, allocated_days_ago=100)
    assert requirement(yp).due == days_ago(100) + dt.timedelta(days=56)  # never met: from allocation (V3)

    contact = log(yp, alice, date=days_ago(2))

    row = requirement(yp)
    assert row.last_met == days_ago(2)
    assert row.due == days_ago(2) + dt.timedelta(days=56)  # V1 interval from the england pack's row
    assert contact.recorded_by == alice
    assert VisitCheck.objects.get(contact=contact).furnishings_and_kitchen == "adequate"


def test_c2_an_attempt_is_recorded_but_meets_nothing(alice):
    yp = young_person(alice, allocated_days_ago=100)
    before = requirement(yp).due

    log(yp, alice, outcome=Outcome.NO_RESPONSE, visit_check=None)

    assert Contact.objects.filter(young_person=yp, outcome=Outcome.NO_RESPONSE).count() == 1
    assert requirement(yp).due == before
    assert requirement(yp).last_met is None


def test_c2_a_completed_phone_call_is_a_contact_not_a_visit(alice):
    yp = young_person(alice, allocated_days_ago=100)
    log(yp, alice, method=Method.PHONE, visit_check=None)
    assert requirement(yp).last_met is None


def test_c3_completed_home_visit_needs_the_living_environment_check(alice):
    yp = young_person(alice)
    with pytest.raises(ServiceError) as excinfo:
        log(yp, alice, visit_check={"health_and_safety": "good"})
    assert excinfo.value.field == "furnishings_and_kitchen"
    assert not Contact.objects.exists()


def test_c3_bed_and_breakfast_adds_cooking_laundry_rules_and_suitability(alice):
    yp = young_person(alice, accommodation=Accommodation.BED_AND_BREAKFAST)
    with pytest.raises(ServiceError) as excinfo:
        log(yp, alice)
    assert excinfo.value.field == "cooking"

    contact = log(yp, alice, visit_check={**CHECK, **SHORT_TERM})
    assert contact.visit_check.overall_suitability == "unsuitable"
    assert contact.visit_check.laundry == "concern"


def test_c3_checklist_ignored_when_the_visit_did_not_happen(alice):
    yp = young_person(alice)
    contact = log(yp, alice, outcome=Outcome.NO_RESPONSE, visit_check=CHECK)
    assert not VisitCheck.objects.filter(contact=contact).exists()


def test_s5_offer_of_a_keeping_in_touch_visit_meets_the_requirement_whatever_the_answer(alice):
    yp = young_person(alice, allocated_days_ago=300)
    ArrangementFactory(young_person=yp, kind=ArrangementKind.STEP_BACK, active_from=days_ago(200))
    recompute_young_person(yp)
    assert requirement(yp, "keeping_in_touch").last_met is None

    log(yp, alice, method=Method.LETTER, outcome=Outcome.NO_RESPONSE, purpose=Purpose.KIT_OFFER, visit_check=None,
        date=days_ago(1), offered_date=today() + dt.timedelta(days=7), offered_time=dt.time(14, 0))

    row = requirement(yp, "keeping_in_touch")
    assert row.last_met == days_ago(1)
    assert row.due == days_ago(1) + dt.timedelta(days=91)


@pytest.mark.parametrize("offset", [1, 30])
def test_c1_a_contact_cannot_be_dated_in_the_future(alice, offset):
    yp = young_person(alice)
    with pytest.raises(ServiceError, match="cannot be in the future") as excinfo:
        log(yp, alice, date=today() + dt.timedelta(days=offset))
    assert excinfo.value.field == "date"
    assert not Contact.objects.exists()


def test_c1_a_contact_before_allocation_is_refused_as_suspicious(alice):
    yp = young_person(alice, allocated_days_ago=50)
    with pytest.raises(ServiceError, match=r"before .* was allocated"):
        log(yp, alice, date=days_ago(51))
    assert not Contact.objects.exists()


def test_c1_a_contact_more_than_a_year_before_the_16th_birthday_is_refused(alice):
    yp = young_person(alice, age=17, allocated_days_ago=5 * 365)  # allocated at 12: odd, but the date check still holds
    with pytest.raises(ServiceError, match="16th birthday"):
        log(yp, alice, date=yp.birthday_16 - dt.timedelta(days=400))


def test_c1_third_party_contact_names_the_third_party(alice):
    yp = young_person(alice)
    with pytest.raises(ServiceError) as excinfo:
        log(yp, alice, method=Method.PHONE, with_whom=With.THIRD_PARTY, visit_check=None)
    assert excinfo.value.field == "third_party_name"


def test_another_teams_pa_cannot_log_a_contact(alice, charlie):
    yp = young_person(alice)
    with pytest.raises(NotAllowed):
        log(yp, charlie)
    assert not Contact.objects.exists()


def test_team_leader_of_the_team_can_log_a_contact(alice, tess):
    yp = young_person(alice)
    assert log(yp, tess).recorded_by == tess


def test_void_contact_recorded_in_error_is_kept_and_ignored_by_the_engine(alice):
    yp = young_person(alice, allocated_days_ago=100)
    contact = log(yp, alice, date=days_ago(3))
    assert requirement(yp).last_met == days_ago(3)

    services.contact_void(contact=contact, actor=alice, reason="Logged on the wrong young person.")

    contact.refresh_from_db()
    assert contact.voided_at is not None
    assert contact.voided_by == alice
    assert contact.void_reason == "Logged on the wrong young person."
    assert requirement(yp).last_met is None  # never deleted, but no longer counts
    assert CaseNote.objects.filter(young_person=yp, kind=CaseNoteKind.CONTACT, text__contains="wrong").exists()
    assert contact.history.count() == 2  # created, then voided: both versions kept


def test_void_needs_a_reason_and_happens_once(alice):
    yp = young_person(alice)
    contact = ContactFactory(young_person=yp, date=days_ago(5), recorded_by=alice)
    with pytest.raises(ServiceError):
        services.contact_void(contact=contact, actor=alice, reason="  ")
    services.contact_void(contact=contact, actor=alice, reason="Duplicate")
    with pytest.raises(InvalidState):
        services.contact_void(contact=contact, actor=alice, reason="Again")


def test_void_by_another_teams_pa_is_refused(alice, charlie):
    contact = ContactFactory(young_person=young_person(alice), date=days_ago(5))
    with pytest.raises(NotAllowed):
        services.contact_void(contact=contact, actor=charlie, reason="Not mine")
    contact.refresh_from_db()
    assert contact.voided_at is None


def test_e1_escalation_step_is_a_dated_record_with_its_case_note(alice):
    yp = young_person(alice)
    missed = ContactFactory(young_person=yp, date=days_ago(4), outcome=Outcome.NO_RESPONSE)

    step = services.escalation_record(young_person=yp, actor=alice, step=EscalationStep.PHONE_CALL, date=days_ago(3),
                                      note="Rang, voicemail left.", contact=missed)

    assert Escalation.objects.get() == step
    assert step.date == days_ago(3)
    assert step.recorded_by == alice
    assert step.contact == missed
    note = CaseNote.objects.get(young_person=yp, kind=CaseNoteKind.ESCALATION)
    assert note.text == "Rang, voicemail left."
    assert "Phone call" in note.subject


def test_e2_missing_report_considered_needs_the_reasoning_and_tells_the_team_leader(alice, tess):
    yp = young_person(alice, vulnerable=True)
    with pytest.raises(ServiceError) as excinfo:
        services.escalation_record(young_person=yp, actor=alice, step=EscalationStep.MISSING_REPORT_CONSIDERED,
                                   date=today())
    assert excinfo.value.field == "note"

    services.escalation_record(young_person=yp, actor=alice, step=EscalationStep.MISSING_REPORT_CONSIDERED,
                               date=today(), note="Out of character; reported to police, ref 123.")
    assert Notification.objects.filter(recipient=tess, kind="escalation", young_person=yp).exists()
    assert mail.outbox == [] or all(tess.email in m.to for m in mail.outbox)


def test_e_escalation_cannot_be_in_the_future_or_for_someone_else(alice, charlie):
    yp = young_person(alice)
    with pytest.raises(ServiceError):
        services.escalation_record(young_person=yp, actor=alice, step=EscalationStep.LETTER,
                                   date=today() + dt.timedelta(days=1))
    with pytest.raises(NotAllowed):
        services.escalation_record(young_person=yp, actor=charlie, step=EscalationStep.LETTER, date=today())
    assert not Escalation.objects.exists()
