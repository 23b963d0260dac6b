"""Issue 12, items 1-3 in the browser: axe-core finds no WCAG 2.x A/AA violations on the notes pages (with a length
error), the supervision form and a dashboard with its review section; a note written in the form is on the record."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect  # expect() waits for the page a click loads; is_visible() does not

from careleavers.models import CaseNoteKind
from careleavers.services import case_note_correct, case_note_write
from tests.browser.test_accessibility import violations
from tests.careleavers.helpers import young_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_notes_pages_write_a_note_and_have_no_accessibility_violations(page, sign_in, alice, tess):
    yp = young_person(alice, name="Noted Person", allocated_days_ago=40)
    note = case_note_write(young_person=yp, actor=alice, kind=CaseNoteKind.SAFEGUARDING, subject="Disclosure",
                           text="Detail", restricted=True)
    case_note_correct(note=note, actor=alice, subject="Disclosure", text="Corrected detail", reason="Wrong name")
    sign_in(alice)
    page.goto(reverse("case_note_new", args=[yp.pk]))
    page.get_by_label("Subject").fill("Phone call")
    page.locator("#id_text").fill("x" * 10_001)
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_text("A case note can be at most 10,000 characters").first).to_be_visible()
    assert violations(page) == []
    page.locator("#id_text").fill("Talked about the course.")
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_text("Talked about the course.")).to_be_visible()
    assert violations(page) == []
    page.goto(reverse("young_person", args=[yp.pk]))
    expect(page.get_by_role("link", name="Phone call")).to_be_visible()
    sign_in(tess)
    page.goto(reverse("case_notes", args=[yp.pk]))
    page.get_by_text("Earlier versions (1)").click()
    expect(page.get_by_text("Detail", exact=True)).to_be_visible()
    assert violations(page) == []


def test_supervision_form_and_dashboard_review_have_no_accessibility_violations(page, sign_in, alice, tess):
    young_person(alice, name="Supervised Person", allocated_days_ago=40)
    sign_in(tess)
    page.goto(reverse("supervision_new") + f"?pa={alice.pk}")
    assert violations(page) == []
    page.get_by_label("Case note for Supervised Person").fill("Discussed the move.")
    page.get_by_role("button", name="Save the supervision").click()
    expect(page.get_by_text("Discussed the move.")).to_be_visible()
    assert violations(page) == []
    page.goto(reverse("oversight:team"))
    page.get_by_text("Record a review").click()
    page.get_by_label("Actions agreed").fill("Book the visits.")
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_text("by Tess Turner (weekly review)")).to_be_visible()
    assert violations(page) == []
