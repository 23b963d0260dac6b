"""PA journeys in a real browser: log a home visit and see the due date move (C1, C3, V3);
another team's young person is a 404."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.careleavers.helpers import days_ago, young_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def british(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def visit_row(page):
    return page.locator('#requirements tr[data-code="visit"]')


def test_c3_pa_logs_a_home_visit_and_sees_the_due_date_move(page, sign_in, alice):
    yp = young_person(alice, name="Jamie Doe", allocated_days_ago=100)
    old_due = days_ago(100) + dt.timedelta(days=56)
    seen_on = days_ago(1)
    new_due = seen_on + dt.timedelta(days=56)

    sign_in(alice)
    page.get_by_role("link", name="Jamie Doe").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Jamie Doe")
    assert visit_row(page).locator("td.due").inner_text() == british(old_due)
    assert "Overdue" in visit_row(page).inner_text()

    page.get_by_role("link", name="Log a contact").click()
    page.get_by_label("Date of the contact").fill(seen_on.isoformat())
    page.get_by_label("How").select_option("home_visit")
    page.get_by_label("With whom").select_option("young_person")
    page.get_by_label("Outcome").select_option("completed")
    page.get_by_label("Case note").fill("Flat warm and tidy; talked about college.")
    checklist = page.get_by_role("group", name="Living-environment check")
    checklist.wait_for(state="visible", timeout=5000)  # the server sends it (htmx) once the contact is a completed home visit
    assert checklist.is_visible()
    checklist.get_by_label("Health and safety").select_option("good")
    checklist.get_by_label("Furnishings and kitchen").select_option("adequate")
    checklist.get_by_label("Occupancy").select_option("good")
    checklist.get_by_label("Improvement or deterioration").select_option("improved")
    page.get_by_role("button", name="Save contact").click()
    page.wait_for_url(f"**{reverse('young_person', args=[yp.pk])}")

    assert page.get_by_role("status").get_by_text("Contact recorded").is_visible()
    assert visit_row(page).locator("td.due").inner_text() == british(new_due)
    assert "On track" in visit_row(page).inner_text()
    assert page.get_by_text("Flat warm and tidy; talked about college.").is_visible()


def test_c1_a_future_date_is_refused_and_the_error_summary_takes_focus(page, sign_in, alice):
    yp = young_person(alice, name="Jamie Doe")
    sign_in(alice)
    page.goto(reverse("contacts:log", args=[yp.pk]))
    page.get_by_label("Date of the contact").fill((dt.date.today() + dt.timedelta(days=3)).isoformat())
    page.get_by_label("How").select_option("phone")
    page.get_by_label("Outcome").select_option("completed")
    page.get_by_label("Case note").fill("Call")
    page.get_by_role("button", name="Save contact").click()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_date"


def test_pa_opening_another_teams_young_person_gets_a_404(page, sign_in, alice, charlie):
    yp = young_person(alice, name="Jamie Doe")
    sign_in(charlie)
    assert page.get_by_role("link", name="Jamie Doe").count() == 0
    for url in (reverse("young_person", args=[yp.pk]), reverse("contacts:log", args=[yp.pk])):
        response = page.goto(url)
        assert response.status == 404, url
