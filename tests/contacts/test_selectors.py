"""contacts.selectors.next_escalation_step: the no-response ladder, by rule ID (E1, E2, T3)."""

import pytest
from django.utils import timezone

from contacts.models import Escalation, EscalationStep, Method, Outcome, With
from contacts.selectors import next_escalation_step
from tests.careleavers.helpers import days_ago, young_person
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def missed(yp, days: int, outcome=Outcome.NO_RESPONSE, method=Method.HOME_VISIT, **extra):
    return ContactFactory(young_person=yp, date=days_ago(days), outcome=outcome, method=method, **extra)


def step_taken(yp, step, days: int):
    return Escalation.objects.create(young_person=yp, step=step, date=days_ago(days))


def next_step(yp):
    return next_escalation_step(young_person=yp)


def test_e1_nothing_to_do_while_the_young_person_answers(alice):
    yp = young_person(alice)
    ContactFactory(young_person=yp, date=days_ago(10))
    assert next_step(yp) is None


def test_e1_a_missed_contact_is_followed_by_a_phone_call(alice):
    yp = young_person(alice)
    ContactFactory(young_person=yp, date=days_ago(40))
    missed(yp, 10)
    step = next_step(yp)
    assert step.step == EscalationStep.PHONE_CALL and step.rule == "E1"
    assert step.since == days_ago(10) and step.attempts == 1
    assert not step.missing_prompt


def test_e1_then_a_letter_offering_a_new_appointment(alice):
    yp = young_person(alice)
    missed(yp, 10)
    step_taken(yp, EscalationStep.PHONE_CALL, 9)
    step = next_step(yp)
    assert step.step == EscalationStep.LETTER and step.rule == "E1"
    assert step.taken == (EscalationStep.PHONE_CALL,)


def test_e1_an_unanswered_phone_contact_after_the_miss_is_the_phone_call_rung(alice):
    yp = young_person(alice)
    missed(yp, 10)
    missed(yp, 9, method=Method.PHONE)
    step = next_step(yp)
    assert step.step == EscalationStep.LETTER
    assert step.attempts == 2


def test_e1_cancelled_by_the_young_person_is_rearranged_at_once(alice):
    yp = young_person(alice)
    missed(yp, 3, outcome=Outcome.CANCELLED_BY_YP)
    assert next_step(yp).rearrange is True


def test_e2_still_no_response_involve_a_third_party_then_an_unannounced_visit(alice):
    yp = young_person(alice)
    missed(yp, 20)
    step_taken(yp, EscalationStep.PHONE_CALL, 19)
    missed(yp, 15, method=Method.LETTER)  # the letter offering a new appointment, unanswered
    assert next_step(yp).step == EscalationStep.THIRD_PARTY
    assert next_step(yp).rule == "E2"

    ContactFactory(young_person=yp, date=days_ago(10), method=Method.PHONE, with_whom=With.THIRD_PARTY,
                   third_party_name="Key worker")
    assert next_step(yp).step == EscalationStep.UNANNOUNCED_VISIT


def test_e2_vulnerable_and_still_no_contact_after_an_unannounced_visit_prompts_a_missing_report(alice):
    yp = young_person(alice, vulnerable=True)
    missed(yp, 20)
    step_taken(yp, EscalationStep.THIRD_PARTY, 12)
    missed(yp, 5, method=Method.UNANNOUNCED_VISIT)
    step = next_step(yp)
    assert step.step == EscalationStep.MISSING_REPORT_CONSIDERED and step.rule == "E2"
    assert step.missing_prompt is True
    assert "missing to the police" in step.advice


def test_t3_not_vulnerable_the_last_rung_is_the_line_manager(alice):
    yp = young_person(alice, vulnerable=False)
    missed(yp, 20)
    step_taken(yp, EscalationStep.UNANNOUNCED_VISIT, 5)
    step = next_step(yp)
    assert step.step == EscalationStep.LINE_MANAGER and step.rule == "T3"
    assert not step.missing_prompt


def test_e2_once_every_rung_is_taken_there_is_no_further_prompt(alice):
    yp = young_person(alice, vulnerable=True)
    missed(yp, 20)
    step_taken(yp, EscalationStep.MISSING_REPORT_CONSIDERED, 2)
    assert next_step(yp) is None


def test_e1_a_completed_contact_restarts_the_ladder(alice):
    yp = young_person(alice)
    missed(yp, 30)
    step_taken(yp, EscalationStep.PHONE_CALL, 29)
    step_taken(yp, EscalationStep.LETTER, 28)
    ContactFactory(young_person=yp, date=days_ago(20))  # seen
    assert next_step(yp) is None
    missed(yp, 5)
    step = next_step(yp)
    assert step.step == EscalationStep.PHONE_CALL  # the old steps belong to the old run
    assert step.attempts == 1


def test_e1_a_voided_completed_contact_does_not_stop_the_ladder(alice):
    yp = young_person(alice)
    missed(yp, 10)
    ContactFactory(young_person=yp, date=days_ago(5), voided_at=timezone.now(), void_reason="Wrong person")
    assert next_step(yp).step == EscalationStep.PHONE_CALL


def test_e1_declined_is_an_answer_not_a_missed_contact(alice):
    yp = young_person(alice)
    missed(yp, 5, outcome=Outcome.DECLINED)
    assert next_step(yp) is None


def test_next_step_runs_two_queries(alice, django_assert_num_queries):
    yp = young_person(alice)
    for n in range(10):
        missed(yp, 30 - n)
    with django_assert_num_queries(2):  # contacts / escalations since the first miss
        next_step(yp)
