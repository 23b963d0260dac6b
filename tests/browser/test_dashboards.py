"""O1: a Service Leader opens the weekly dashboard and drills down to an overdue young person."""

import datetime as dt

import pytest
from django.utils import timezone

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
    assert page.get_by_role("heading", name="Service: weekly overdue review").is_visible()
    assert page.get_by_role("heading", name="Teams side by side").is_visible()
    page.get_by_role("link", name="North Team").click()
    assert page.get_by_role("heading", name="North Team: weekly overdue review").is_visible()
    page.get_by_role("link", name="Alice Adams").click()
    assert page.get_by_role("heading", name="North Team: weekly overdue review · Alice Adams").is_visible()
    assert page.get_by_role("link", name="Casey South").count() == 0
    page.get_by_role("link", name="Jamie Overdue").first.click()
    assert page.get_by_role("heading", name="Jamie Overdue").first.is_visible()
    assert page.get_by_text("Overdue items and the PA's updates").is_visible()
