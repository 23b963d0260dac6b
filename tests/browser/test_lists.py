"""htmx where it saves a page load: notifications marked read in place, the caseload filtered in
place (with the address updated); the pages run no inline script (a strict CSP)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from careleavers.models import Notification
from tests.careleavers.helpers import young_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_reload_marker(page):
    page.evaluate("window.__same_page = true")


def same_page(page) -> bool:
    return page.evaluate("window.__same_page === true")


def test_marking_notifications_read_swaps_them_in_place(page, sign_in, alice):
    first, second = (Notification.objects.create(recipient=alice, kind="x", message=m) for m in ("First", "Second"))
    sign_in(alice)
    page.goto(reverse("notifications"))
    no_reload_marker(page)
    page.get_by_role("button", name=re.compile("Mark as read.*Second")).click()
    page.get_by_text("1 unread.").wait_for()
    assert page.get_by_role("button", name=re.compile("Mark as read.*Second")).count() == 0
    # The button pressed is gone: focus moves to its row, not to the top of the page.
    expect(page.locator(f"#notification-{second.pk}")).to_be_focused()
    page.get_by_role("button", name="Mark all as read").click()
    page.get_by_role("status").get_by_text("1 notification marked as read.").wait_for()
    assert page.get_by_text("0 unread.").is_visible()
    assert same_page(page)
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    assert first.pk


def test_caseload_filters_without_a_page_load_and_the_address_follows(page, sign_in, alice):
    young_person(alice, name="Late Person", allocated_days_ago=80)
    young_person(alice, name="Soon Person", allocated_days_ago=50)
    sign_in(alice)
    page.goto(reverse("caseload"))
    no_reload_marker(page)
    page.get_by_label("Status").select_option("overdue")
    page.get_by_role("button", name="Apply").click()
    page.get_by_role("heading", name="Matching young people").wait_for()
    listed = page.locator("#caseload-list")
    assert listed.get_by_role("link", name="Late Person").is_visible()
    assert listed.get_by_role("link", name="Soon Person").count() == 0
    assert "status=overdue" in page.url
    assert same_page(page)
    page.get_by_role("link", name=re.compile("^Young person.*sort")).click()  # sort by name: a plain link
    page.wait_for_url("**sort=name**")
    assert "status=overdue" in page.url


def test_pages_run_no_inline_script(page, sign_in, alice):
    """A policy that allows scripts only from this site: any inline script would be reported."""
    violations = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
    young_person(alice, name="Late Person", allocated_days_ago=80)
    Notification.objects.create(recipient=alice, kind="x", message="Hello")
    sign_in(alice)
    for url in (reverse("caseload"), reverse("notifications"), reverse("absences")):
        page.goto(url)
        page.wait_for_load_state("networkidle")
    assert violations == []
