"""Issue 15, item 5: the Team Leader's and Service Leader's decision pages show the young person's situation beside
the request (one selector, a fixed number of queries); the approvals queue links the young person's name."""

import pytest
from django.urls import reverse

from approvals.services import flag_clear, flag_set
from casework.decision_context import decision_context_for, unanswered_streak
from compliance.services import accommodation_record
from contacts.models import Contact, Escalation, EscalationStep, Method, Outcome
from core.dates import british
from pathway import services as pathway_services
from tests.approvals.test_services import request
from tests.careleavers.helpers import days_ago, today
from tests.conftest import login
from tests.factories import ContactFactory
from tests.pathway.helpers import make_young_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def jamie(alice):
    yp = make_young_person(alice, name="Jamie Doe", age=19)
    ContactFactory(young_person=yp, date=days_ago(30), method=Method.HOME_VISIT, outcome=Outcome.COMPLETED)
    first = ContactFactory(young_person=yp, date=days_ago(10), method=Method.PHONE, outcome=Outcome.NO_RESPONSE)
    ContactFactory(young_person=yp, date=days_ago(8), method=Method.PHONE, outcome=Outcome.CANCELLED_BY_PA)
    ContactFactory(young_person=yp, date=days_ago(5), method=Method.TEXT, outcome=Outcome.CANCELLED_BY_YP)
    Escalation.objects.create(young_person=yp, step=EscalationStep.PHONE_CALL, date=days_ago(9), contact=first,
                              recorded_by=alice, note="Called")
    return yp


def test_e3_unanswered_streak_skips_pa_cancellations_and_stops_at_an_answer(jamie):
    contacts = list(Contact.objects.filter(young_person=jamie).order_by("-date"))
    assert unanswered_streak(contacts) == 2
    declined = Contact(outcome=Outcome.DECLINED)
    assert unanswered_streak([declined, *contacts]) == 0  # a decline is an answer


def test_context_has_the_situation(jamie):
    c = decision_context_for(young_person=jamie, today=today())
    assert c["age"] == 19 and c["unanswered"] == 2
    assert [e.step for e in c["escalations"]] == [EscalationStep.PHONE_CALL]
    assert len(c["contacts"]) == 4 and c["requirements"]


def test_team_leader_approval_page_shows_the_context(client, jamie, alice, tess):
    arrangement = request(jamie, alice)
    login(client, tess)
    body = client.get(reverse("approvals:detail", args=[arrangement.pk])).content.decode()
    assert "About Jamie Doe" in body and "2 contacts in a row unanswered" in body
    assert "Former relevant" in body or jamie.get_legal_status_display() in body


def test_pa_sees_no_decision_context(client, jamie, alice):
    arrangement = request(jamie, alice)
    login(client, alice)
    assert "About Jamie Doe" not in client.get(reverse("approvals:detail", args=[arrangement.pk])).content.decode()


def test_plan_sign_off_page_shows_the_context_with_fixed_queries(client, alice, tess, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def page_queries(yp, contacts: int) -> int:
        for n in range(contacts):
            ContactFactory(young_person=yp, date=days_ago(40 + n), method=Method.PHONE, outcome=Outcome.COMPLETED)
        plan = pathway_services.plan_start(young_person=yp, actor=alice)
        login(client, tess)
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(reverse("pathway:detail", args=[plan.pk])).content.decode()
        assert f"About {yp.name}" in body
        return len(ctx.captured_queries)

    small = page_queries(make_young_person(alice, name="Small Record"), 2)
    large = page_queries(make_young_person(alice, name="Large Record"), 20)
    assert small == large


def test_approvals_queue_links_the_name(client, jamie, alice, tess):
    request(jamie, alice)
    login(client, tess)
    body = client.get(reverse("approvals:queue")).content.decode()
    assert f'href="{reverse("young_person", args=[jamie.pk])}">Jamie Doe</a>' in body


def test_context_reads_the_active_flags_and_the_accommodation_open_today(jamie, alice, tess):
    """Issue 11 (items 3, 7) in the decision context: each active flag with when it was set (a cleared one is not
    shown), and the accommodation period open today with its suitability."""
    hazard = flag_set(young_person=jamie, kind="hazard", reason="Dog at the address.", actor=tess, set_on=days_ago(3))
    flag_set(young_person=jamie, kind="missing", reason="Missing overnight.", actor=tess, set_on=days_ago(2))
    flag_clear(flag=hazard, reason="Dog rehomed.", actor=tess)
    accommodation_record(young_person=jamie, actor=alice, code="E", start=days_ago(20), suitable=False,
                         unsuitable_reason="Too far from college.")
    c = decision_context_for(young_person=jamie, today=today())
    assert [f for f in c["flags"] if "since" in f] == [f"Missing episodes (since {british(days_ago(2))})"]
    assert c["accommodation"].endswith(f"since {british(days_ago(20))} (not suitable: Too far from college.)")
