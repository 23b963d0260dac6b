"""O1: a Service Leader opens the weekly dashboard and drills down to an overdue young person."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect  # expect() waits for the page a click loads; is_visible() does not

from careleavers.models import Role
from compliance.engine import recompute
from tests.factories import ContactFactory, StaffFactory, YoungPersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_o1_service_leader_drills_down_from_the_weekly_dashboard_to_an_overdue_young_person(page, sign_in, alice, charlie, sol):
    today = timezone.localdate()
    StaffFactory(ref="bella", name="Bella Brown", role=Role.PA, team=alice.team)
    YoungPersonFactory(pa=alice, name="Jamie Overdue", allocated_on=today - dt.timedelta(days=400),
                                 date_of_birth=today.replace(year=today.year - 19))
    seen = YoungPersonFactory(pa=alice, name="Sam Seen", date_of_birth=today.replace(year=today.year - 19))
    ContactFactory(young_person=seen, date=today - dt.timedelta(days=3))
    YoungPersonFactory(pa=charlie, name="Casey South", date_of_birth=today.replace(year=today.year - 19))
    recompute(today)

    sign_in(sol)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Service: weekly overdue review")).to_be_visible()
    expect(page.get_by_role("heading", name="Teams side by side")).to_be_visible()
    page.get_by_role("link", name="North Team").click()
    expect(page.get_by_role("heading", name="North Team: weekly overdue review")).to_be_visible()
    page.get_by_role("link", name="Alice Adams").click()
    expect(page.get_by_role("heading", name="North Team: weekly overdue review · Alice Adams")).to_be_visible()
    assert page.get_by_role("link", name="Casey South").count() == 0
    page.get_by_role("link", name="Jamie Overdue").first.click()
    expect(page.get_by_role("heading", name="Jamie Overdue").first).to_be_visible()
    expect(page.get_by_text("Overdue items and the PA's updates")).to_be_visible()
