"""contacts.selectors.next_escalation_step: the no-response ladder, by rule ID (E1, E2, T3)."""

import pytest
from django.utils import timezone

from careleavers.models import Circumstance
from compliance.models import PolicyPack
from contacts.models import Escalation, EscalationStep, Method, Outcome, With
from contacts.selectors import next_escalation_step
from core.dates import british
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


def test_e2_not_vulnerable_the_last_rung_is_the_line_manager(alice):
    # The E1/E2 ladder of every pack: the line manager as E2's last third party (T3's own ladder is
    # Tower Hamlets' for 18+ and settled, below).
    yp = young_person(alice, vulnerable=False)
    missed(yp, 20)
    step_taken(yp, EscalationStep.UNANNOUNCED_VISIT, 5)
    step = next_step(yp)
    assert step.step == EscalationStep.LINE_MANAGER and step.rule == "E2"
    assert not step.missing_prompt and not step.exhausted


def test_e2_after_the_last_rung_a_vulnerable_young_person_is_still_offered_the_missing_person_step(alice):
    """The ladder never dead-ends (issue 10, item 6): the page says so and keeps offering the step."""
    yp = young_person(alice, vulnerable=True, name="Val Quiet")
    missed(yp, 20)
    step_taken(yp, EscalationStep.MISSING_REPORT_CONSIDERED, 2)
    step = next_step(yp)
    assert step.exhausted and step.step == EscalationStep.MISSING_REPORT_CONSIDERED and step.missing_prompt
    assert step.rule == "E2"
    assert step.advice.startswith(f"Every step has been taken and Val Quiet has still not answered since {british(days_ago(20))}")
    step_taken(yp, EscalationStep.MISSING_REPORT_CONSIDERED, 1)  # considered again: still offered
    assert next_step(yp).step == EscalationStep.MISSING_REPORT_CONSIDERED


def test_e2_after_the_last_rung_a_young_person_not_vulnerable_is_offered_the_line_manager_again(alice):
    yp = young_person(alice, vulnerable=False)
    missed(yp, 20)
    step_taken(yp, EscalationStep.LINE_MANAGER, 2)
    step = next_step(yp)
    assert step.exhausted and step.step == EscalationStep.LINE_MANAGER and not step.missing_prompt


def test_e2_the_ladder_ends_once_the_young_person_answers(alice):
    yp = young_person(alice, vulnerable=True)
    missed(yp, 20)
    step_taken(yp, EscalationStep.MISSING_REPORT_CONSIDERED, 3)
    ContactFactory(young_person=yp, date=days_ago(1))
    assert next_step(yp) is None


def tower_hamlets():
    PolicyPack.objects.filter(is_active=True).update(is_active=False)
    PolicyPack.objects.filter(key="tower_hamlets").update(is_active=True)


def test_t3_tower_hamlets_settled_ladder_is_the_packs_write_then_card_then_line_manager(alice):
    tower_hamlets()
    yp = young_person(alice, circumstance=Circumstance.SETTLED)
    missed(yp, 20, method=Method.PHONE)  # the three-weekly phone contact, unanswered
    step = next_step(yp)
    assert (step.step, step.rule) == (EscalationStep.WRITTEN, "T3")
    missed(yp, 15, method=Method.TEXT)  # a text is T3's "write, text or email"
    assert (next_step(yp).step, next_step(yp).rule) == (EscalationStep.CARD_LEFT, "T3")
    step_taken(yp, EscalationStep.CARD_LEFT, 10)
    step = next_step(yp)
    assert (step.step, step.rule) == (EscalationStep.LINE_MANAGER, "T3") and "now" in step.advice
    step_taken(yp, EscalationStep.LINE_MANAGER, 9)
    assert next_step(yp).exhausted


def test_t3_ladder_is_only_for_settled_young_people_and_only_under_tower_hamlets(alice):
    tower_hamlets()
    standard = young_person(alice)
    missed(standard, 10)
    assert next_step(standard).step == EscalationStep.PHONE_CALL  # E1 for everyone else
    PolicyPack.objects.filter(key="tower_hamlets").update(is_active=False)
    PolicyPack.objects.filter(key="england").update(is_active=True)
    settled = young_person(alice, circumstance=Circumstance.SETTLED)
    missed(settled, 10, method=Method.PHONE)
    assert (next_step(settled).step, next_step(settled).rule) == (EscalationStep.PHONE_CALL, "E1")  # england: E1


def test_t3_the_ladder_comes_from_the_pack_not_code(alice):
    yp = young_person(alice)
    missed(yp, 10)
    pack = PolicyPack.objects.get(is_active=True)
    pack.escalation_ladder = [{"circumstance": "*", "steps": [{"step": "unannounced_visit", "rule": "X9"}]}]
    pack.save()
    step = next_step(yp)
    assert (step.step, step.rule) == (EscalationStep.UNANNOUNCED_VISIT, "X9")


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


def test_next_step_runs_three_queries(alice, django_assert_num_queries):
    yp = young_person(alice)
    for n in range(10):
        missed(yp, 30 - n)
    with django_assert_num_queries(3):  # contacts / the pack's ladder / escalations since the first miss
        next_step(yp)
    pack, contacts = PolicyPack.objects.get(is_active=True), list(yp.contacts.all())
    with django_assert_num_queries(0):  # the young person's page passes the records it has already read
        next_escalation_step(young_person=yp, pack=pack, contacts=contacts, escalations=[])
