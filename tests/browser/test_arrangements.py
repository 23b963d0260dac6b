"""Reduced visits requested by a PA, approved by the Team Leader and agreed by the Service Leader:
then the young person's requirements show contacts instead of visits (R2-R6), in a real browser."""

import pytest
from playwright.sync_api import expect

from approvals.models import Arrangement, ArrangementState
from tests.pathway.helpers import make_young_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def requirement_cells(page) -> list[str]:
    expect(page.get_by_role("heading", name="Requirements")).to_be_visible()
    table = page.get_by_role("table").filter(has_text="Last met")
    return [cell.inner_text() for cell in table.locator("tbody tr td:first-child").all()]


def test_r5_reduced_visits_requested_approved_agreed_then_contacts_replace_visits(page, sign_in, alice, tess, sol):
    make_young_person(alice, age=19, name="Jamie Doe")

    sign_in(alice)
    page.get_by_role("link", name="Jamie Doe").click()
    assert "Visit" in requirement_cells(page)
    page.get_by_role("link", name="Reduced visits").click()
    page.get_by_label("The young person asked for reduced visits").check()
    page.get_by_label("Assessed as having low support needs").check()
    page.get_by_label("The young person's wish and their reasons").fill("Works shifts; prefers WhatsApp.")
    page.get_by_label("They understand contact continues").check()
    page.get_by_label("They agree to respond to contact").check()
    page.get_by_label("They agree to report a change of address").check()
    page.get_by_label("They know they can contact the service").check()
    page.get_by_label("Keeping-in-touch frequency and method").fill("WhatsApp every 4 weeks")
    page.get_by_role("button", name="Send request to Team Leader").click()
    expect(page.locator("#arrangement-state")).to_have_text("Requested by PA")

    sign_in(tess)
    page.get_by_role("link", name="Approvals").click()
    page.get_by_role("link", name="Reduced visits").click()
    page.get_by_label("Rationale").fill("Settled, working, low support needs.")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#arrangement-state")).to_contain_text("awaiting Service Leader")

    sign_in(sol)
    page.get_by_role("link", name="Approvals").click()
    page.get_by_role("link", name="Reduced visits").click()
    page.get_by_label("Rationale").fill("Agreed with the Team Leader's rationale.")
    page.get_by_role("button", name="Agree").click()
    expect(page.locator("#arrangement-state")).to_have_text("Active")

    page.get_by_role("link", name="Jamie Doe").click()
    cells = requirement_cells(page)
    assert "Contact" in cells and "Visit" not in cells
    assert Arrangement.objects.get().state == ArrangementState.ACTIVE
