"""A pathway plan drafted, submitted, returned, resubmitted and signed off (P3), in a real browser."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pathway.models import PathwayPlan, PlanState
from tests.pathway.helpers import make_young_person, visited

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_young_person(page, name):
    page.get_by_role("link", name="Caseload").click()
    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name="Pathway plan")).to_be_visible()


def test_p3_plan_drafted_submitted_returned_resubmitted_and_signed_off(page, sign_in, alice, tess):
    jamie = make_young_person(alice, name="Jamie Doe")
    visited(jamie)  # reg 8(2)(b): a visit before the review, so the Team Leader can sign off

    sign_in(alice)
    open_young_person(page, "Jamie Doe")
    page.get_by_role("button", name="Start the next plan review").click()
    page.get_by_label("The young person's voice").fill("I want to stay near my sister.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved")).to_be_visible()
    page.get_by_role("link", name="Edit this plan").click()  # save and come back
    page.get_by_label("Contact arrangements").fill("Home visit every 8 weeks, texts in between.")
    # issue 13: participation, the contingency plan and contact as a method and frequency (P5)
    page.get_by_label("The young person's participation").select_option(label="Took part")
    page.get_by_label("Contingency plan").fill("If the flat falls through, the duty team finds a room that day.")
    page.get_by_label("How we keep in touch").select_option(label="Visits (face to face)")
    page.get_by_label("How often: every … weeks").fill("8")
    page.get_by_role("button", name="Save and submit to Team Leader").click()
    expect(page.locator("#plan-state")).to_have_text("Submitted to Team Leader")

    sign_in(tess)
    page.get_by_role("link", name="Plans to sign off").click()
    page.get_by_role("link", name="Pathway plan v1", exact=True).click()  # the notes panel links "Pathway plan v1 …" notes too
    page.get_by_label("Comments for the Personal Adviser").fill("Please add the college plans.")
    page.get_by_role("button", name="Return with comments").click()
    expect(page.locator("#plan-state")).to_have_text("Returned with comments")

    sign_in(alice)
    open_young_person(page, "Jamie Doe")
    page.get_by_role("link", name="Pathway plan v1", exact=True).click()  # the notes panel links "Pathway plan v1 …" notes too
    page.get_by_role("link", name="Edit this plan").click()
    expect(page.get_by_text("Please add the college plans.")).to_be_visible()
    ete = page.get_by_label("Education, training and employment: the Personal Adviser's assessment")
    ete.fill("Starting a plumbing course in January.")
    page.get_by_role("button", name="Save and submit to Team Leader").click()
    expect(page.locator("#plan-state")).to_have_text("Submitted to Team Leader")

    sign_in(tess)
    page.get_by_role("link", name="Plans to sign off").click()
    page.get_by_role("link", name="Pathway plan v1", exact=True).click()  # the notes panel links "Pathway plan v1 …" notes too
    page.get_by_role("button", name="Sign off").click()
    expect(page.locator("#plan-state")).to_have_text("Signed off")
    expect(page.get_by_role("link", name="Edit this plan")).to_have_count(0)  # read-only now

    plan = PathwayPlan.objects.get(young_person=jamie)
    assert (plan.state, plan.review_date, plan.signed_off_by) == (PlanState.SIGNED_OFF, timezone.localdate(), tess)
    assert list(plan.decisions.values_list("action", flat=True)) == ["submitted", "returned", "submitted", "signed_off"]
