"""axe-core (vendored, tests/browser/vendor) finds no WCAG 2.x A/AA violations on the PA's pages:
the caseload, the young person's page and the log-a-contact form (with and without errors)."""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect  # expect() waits for the page a click loads; is_visible() does not

from careleavers.models import Accommodation, PlannedAbsence
from contacts.models import Outcome
from tests.careleavers.helpers import days_ago, today, young_person
from tests.factories import ContactFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def violations(page) -> list[dict]:
    page.evaluate(AXE.read_text())  # not add_script_tag: an inline script, which the content security policy refuses
    result = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations", WCAG)
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result
    ]


@pytest.fixture
def caseload(alice):
    import datetime as dt

    late = young_person(alice, name="Late Person", allocated_days_ago=80, vulnerable=True)
    young_person(alice, name="Soon Person", allocated_days_ago=50)
    hostel = young_person(alice, name="Hostel Person", allocated_days_ago=10, accommodation=Accommodation.HOSTEL)
    ContactFactory(young_person=late, date=days_ago(3), outcome=Outcome.NO_RESPONSE, note="No answer")
    PlannedAbsence.objects.create(staff=alice, start=today(), end=today() + dt.timedelta(days=10), reason="training")
    return {"late": late, "hostel": hostel}


def test_caseload_has_no_accessibility_violations(page, sign_in, alice, caseload):
    sign_in(alice)
    page.goto(reverse("caseload"))
    assert violations(page) == []
    page.goto(reverse("caseload") + "?status=overdue")
    assert violations(page) == []


def test_young_person_page_has_no_accessibility_violations(page, sign_in, alice, caseload):
    sign_in(alice)
    page.goto(reverse("young_person", args=[caseload["late"].pk]))
    expect(page.get_by_text("No response: next step")).to_be_visible()
    assert violations(page) == []


def test_log_contact_page_has_no_accessibility_violations(page, sign_in, alice, caseload):
    sign_in(alice)
    page.goto(reverse("contacts:log", args=[caseload["hostel"].pk]))
    assert violations(page) == []
    page.get_by_label("How").select_option("home_visit")
    page.get_by_label("Outcome").select_option("completed")
    page.get_by_role("button", name="Save contact").click()  # errors: no case note, no checklist
    expect(page.locator("#error-summary")).to_be_visible()
    assert violations(page) == []


@pytest.mark.parametrize("who, url_name", [
    ("tess", "pathway:queue"),
    ("tess", "approvals:queue"),
    ("tess", "oversight:team"),
    ("sol", "oversight:service"),
    ("hana", "oversight:head"),
    ("sol", "returns:index"),
])
def test_managers_pages_have_no_accessibility_violations(page, sign_in, request, caseload, tess, sol, hana, who, url_name):
    """O1 dashboards, the sign-off and approval queues and the returns page, with overdue items on them."""
    from compliance.engine import recompute

    recompute()
    sign_in(request.getfixturevalue(who))
    page.goto(reverse(url_name))
    assert violations(page) == []


def test_plan_form_has_no_accessibility_violations(page, sign_in, alice, caseload):
    sign_in(alice)
    page.goto(reverse("young_person", args=[caseload["late"].pk]))
    page.get_by_role("button", name="Start").first.click()
    page.wait_for_url("**/plans/*/edit/")
    expect(page.get_by_label("The young person's voice")).to_be_visible()
    assert violations(page) == []
