"""reg 8(2)(b): the PA visits before each pathway plan review, so a plan is signed off only when a visit
was made since the previous signed-off review, or the Team Leader records why; the plan page says which."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from careleavers.models import CaseNote
from contacts.models import Method, Outcome, With
from core.errors import ServiceError
from core.models import AuditEvent, AuditKind
from pathway import services
from pathway.models import PlanState
from pathway.selectors import visit_before_review
from tests.conftest import login
from tests.factories import ContactFactory, SignedOffPlanFactory

from .helpers import READY, visited

pytestmark = pytest.mark.django_db

CONTENT = READY


def today():
    return timezone.localdate()


def submitted(yp, pa):
    plan = services.plan_start(young_person=yp, actor=pa)
    services.plan_update(plan=plan, actor=pa, content=CONTENT)
    return services.plan_submit(plan=plan, actor=pa)


def previous_review(yp, days_ago: int):
    return SignedOffPlanFactory(young_person=yp, version=1, review_date=today() - dt.timedelta(days=days_ago))


def test_reg_8_2_b_no_visit_since_the_previous_review_refuses_sign_off(jamie, alice, tess):
    previous_review(jamie, 150)
    visited(jamie, on=today() - dt.timedelta(days=151))  # before the previous review: it was that review's visit
    plan = submitted(jamie, alice)
    with pytest.raises(ServiceError, match=r"reg 8\(2\)\(b\)") as exc:
        services.plan_sign_off(plan=plan, actor=tess)
    assert exc.value.field == "no_visit_reason"
    plan.refresh_from_db()
    assert plan.state == PlanState.SUBMITTED
    assert not AuditEvent.objects.filter(kind=AuditKind.PLAN_SIGNED_OFF).exists()


@pytest.mark.parametrize(("days_after", "made"), [(0, False), (1, True)])
def test_reg_8_2_b_a_visit_counts_from_the_day_after_the_previous_review(jamie, alice, days_after, made):
    review = previous_review(jamie, 150)
    visited(jamie, on=review.review_date + dt.timedelta(days=days_after))
    plan = submitted(jamie, alice)
    visit = visit_before_review(plan)
    assert (visit.previous_review, visit.made) == (review.review_date, made)


@pytest.mark.parametrize("contact", [
    {"method": Method.PHONE},
    {"outcome": Outcome.NO_RESPONSE},
    {"with_whom": With.FAMILY},
    {"voided_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},
])
def test_reg_8_2_b_only_a_completed_visit_with_the_young_person_counts(jamie, alice, contact):
    previous_review(jamie, 150)
    ContactFactory(young_person=jamie, date=today() - dt.timedelta(days=10), **contact)
    assert not visit_before_review(submitted(jamie, alice)).made


def test_reg_8_2_b_a_visit_since_the_previous_review_is_kept_with_the_sign_off(jamie, alice, tess):
    previous_review(jamie, 150)
    visit_day = today() - dt.timedelta(days=20)
    visited(jamie, on=visit_day)
    plan = services.plan_sign_off(plan=submitted(jamie, alice), actor=tess)
    assert (plan.state, plan.visit_before_review_on, plan.no_visit_reason) == (PlanState.SIGNED_OFF, visit_day, "")
    audit = AuditEvent.objects.get(kind=AuditKind.PLAN_SIGNED_OFF)
    assert audit.data["visit_before_review_on"] == visit_day.isoformat()


def test_reg_8_2_b_team_leader_records_why_there_was_no_visit(jamie, alice, tess):
    previous_review(jamie, 150)
    plan = services.plan_sign_off(plan=submitted(jamie, alice), actor=tess,
                                  no_visit_reason="In hospital; reviewed with the ward staff.")
    assert (plan.state, plan.visit_before_review_on) == (PlanState.SIGNED_OFF, None)
    assert plan.no_visit_reason == "In hospital; reviewed with the ward staff."
    assert AuditEvent.objects.get(kind=AuditKind.PLAN_SIGNED_OFF).data["no_visit_reason"] == plan.no_visit_reason
    assert CaseNote.objects.filter(young_person=jamie, text__contains="No visit since the previous review").exists()


def test_reg_8_2_b_first_plan_needs_a_visit_at_some_time(jamie, alice, tess):
    plan = submitted(jamie, alice)
    with pytest.raises(ServiceError, match="recorded yet"):
        services.plan_sign_off(plan=plan, actor=tess)
    visited(jamie, on=today() - dt.timedelta(days=60))
    assert services.plan_sign_off(plan=plan, actor=tess).state == PlanState.SIGNED_OFF


def test_reg_8_2_b_a_signed_off_plan_reads_visits_up_to_its_review_date(jamie):
    previous_review(jamie, 150)
    plan = SignedOffPlanFactory(young_person=jamie, version=2, review_date=today() - dt.timedelta(days=10))
    visited(jamie, on=today() - dt.timedelta(days=30))
    visited(jamie, on=today() - dt.timedelta(days=5))  # after its review: the next review's visit
    assert visit_before_review(plan).last_visit == today() - dt.timedelta(days=30)


# --- the plan page -----------------------------------------------------------------------------------

def test_reg_8_2_b_plan_page_says_whether_a_visit_was_made(client, jamie, alice, tess):
    review = previous_review(jamie, 150)
    plan = submitted(jamie, alice)
    login(client, tess)
    url = reverse("pathway:detail", args=[plan.pk])
    page = client.get(url).content.decode()
    assert "No visit recorded" in page
    assert f"previous review {review.review_date.day} {review.review_date:%b %Y}" in page
    visited(jamie, on=today() - dt.timedelta(days=3))
    day = today() - dt.timedelta(days=3)
    assert f"Yes: the last on {day.day} {day:%b %Y}" in client.get(url).content.decode()


def test_reg_8_2_b_sign_off_form_refuses_without_a_visit_or_reason_then_takes_the_reason(client, jamie, alice, tess):
    previous_review(jamie, 150)
    plan = submitted(jamie, alice)
    login(client, tess)
    url = reverse("pathway:sign_off", args=[plan.pk])
    refused = client.post(url, {"comments": ""})
    assert refused.status_code == 400
    # In the error summary, linked to the reason field (and under the field), never as a banner too.
    assert 'href="#id_signoffform_no_visit_reason"' in refused.content.decode()
    assert not list(refused.context["messages"])
    plan.refresh_from_db()
    assert plan.state == PlanState.SUBMITTED
    assert client.post(url, {"comments": "", "no_visit_reason": "Declined every visit; seen at college."}).status_code == 302
    plan.refresh_from_db()
    assert (plan.state, plan.no_visit_reason) == (PlanState.SIGNED_OFF, "Declined every visit; seen at college.")
    assert "Signed off without one: Declined every visit" in client.get(
        reverse("pathway:detail", args=[plan.pk])).content.decode()
