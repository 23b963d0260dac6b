"""Issue 10, item 2: the young person's page says why a due date is what it is, from the stored row's
basis: the interval since last met, the start of the pattern (V3: allocation, an arrangement's start, the
day an arrangement ended), an event (which one: T6), or unanswered contacts (E3)."""

import datetime as dt

import pytest
from django.urls import reverse

from approvals.models import ArrangementKind, ArrangementState
from careleavers.models import Event
from compliance.engine import recompute_young_person
from compliance.models import PolicyPack
from contacts.models import Method, Outcome
from core.dates import british
from tests.careleavers.helpers import days_ago, young_person
from tests.conftest import login
from tests.factories import ArrangementFactory, ContactFactory

pytestmark = pytest.mark.django_db


def reason(client, yp, code: str = "visit") -> str:
    response = client.get(reverse("young_person", args=[yp.pk]))
    row = next(r for r in response.context["requirements"] if r.code == code)
    assert row.reason in response.content.decode()
    return row.reason


def test_v1_the_interval_since_the_requirement_was_last_met(client, alice):
    yp = young_person(alice)
    ContactFactory(young_person=yp, date=days_ago(3))
    recompute_young_person(yp)
    login(client, alice)
    assert reason(client, yp) == "Every 56 days since it was last met."


def test_v3_never_met_counts_from_allocation(client, alice):
    yp = young_person(alice, allocated_days_ago=20)
    login(client, alice)
    assert reason(client, yp) == f"Every 56 days. Counted from allocation on {british(days_ago(20))}."


def test_t6_brought_forward_by_which_event(client, alice):
    yp = young_person(alice)
    ContactFactory(young_person=yp, date=days_ago(30))
    Event.objects.create(young_person=yp, kind="custody_start", date=days_ago(5))
    recompute_young_person(yp)
    login(client, alice)
    assert reason(client, yp) == (f"Brought forward by the event “Custody start (sentence or remand)” on "
                                  f"{british(days_ago(5))}: due within 28 days.")


def test_t6_a_voided_event_is_not_the_reason(client, alice):
    yp = young_person(alice)
    ContactFactory(young_person=yp, date=days_ago(30))
    Event.objects.create(young_person=yp, kind="custody_start", date=days_ago(5))
    Event.objects.create(young_person=yp, kind="custody_start", date=days_ago(8), voided_at=dt.datetime.now(dt.UTC))
    recompute_young_person(yp)
    login(client, alice)
    assert british(days_ago(5)) in reason(client, yp)


def test_v3_the_standard_pattern_started_again_the_day_a_step_back_ended(client, alice):
    yp = young_person(alice, allocated_days_ago=700)
    ArrangementFactory(young_person=yp, kind=ArrangementKind.STEP_BACK, state=ArrangementState.ENDED,
                       active_from=days_ago(680), ended_on=days_ago(10))
    recompute_young_person(yp)
    login(client, alice)
    assert reason(client, yp) == (f"Every 56 days. The standard pattern started again on {british(days_ago(10))}, "
                                  "when the step back arrangement ended.")
    response = client.get(reverse("young_person", args=[yp.pk]))
    visit = next(r for r in response.context["requirements"] if r.code == "visit")
    assert visit.due == days_ago(10) + dt.timedelta(days=56)  # not 700 days overdue


def test_v3_a_requirement_an_arrangement_brings_counts_from_its_start(client, alice):
    yp = young_person(alice, allocated_days_ago=300)
    ArrangementFactory(young_person=yp, kind=ArrangementKind.STEP_BACK, active_from=days_ago(30))
    recompute_young_person(yp)
    login(client, alice)
    text = reason(client, yp, "keeping_in_touch")
    assert text.endswith(f"Counted from the start of the step back arrangement on {british(days_ago(30))}.")


def test_e3_unanswered_contacts_make_the_visit_due_at_once_until_a_visit(client, alice):
    PolicyPack.objects.filter(is_active=True).update(is_active=False)
    PolicyPack.objects.filter(key="tct2").update(is_active=True)
    yp = young_person(alice, allocated_days_ago=300)
    ArrangementFactory(young_person=yp, kind=ArrangementKind.REDUCED_VISITS, active_from=days_ago(200))
    for days in (9, 6, 3):
        ContactFactory(young_person=yp, date=days_ago(days), method=Method.PHONE, outcome=Outcome.NO_RESPONSE)
    recompute_young_person(yp)
    login(client, alice)
    response = client.get(reverse("young_person", args=[yp.pk]))
    row = next(r for r in response.context["requirements"] if r.basis == "escalation")
    assert row.reason == "Due at once: 3 contacts in a row unanswered. It stays due until a visit is made."
