"""The admin is for back-office corrections: it never deletes, and an edit moves due dates at once."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from compliance.engine import recompute_young_person
from compliance.models import Requirement
from tests.factories import ContactFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = get_user_model().objects.create_superuser("root", "root@example.gov.uk", "correct horse battery")
    client.force_login(admin)
    return client


def test_v1_adding_an_interval_override_in_the_admin_recomputes_at_once(admin_client):
    today = timezone.localdate()
    yp = YoungPersonFactory(date_of_birth=today - dt.timedelta(days=19 * 366), allocated_on=today - dt.timedelta(days=30))
    ContactFactory(young_person=yp, date=today)
    recompute_young_person(yp)
    assert Requirement.objects.get(young_person=yp, code="visit").due == today + dt.timedelta(days=56)
    response = admin_client.post("/admin/careleavers/intervaloverride/add/", {
        "young_person": yp.pk, "requirement": "visit", "interval_days": 14, "reason": "Risk: weekly checks agreed",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Requirement.objects.get(young_person=yp, code="visit").due == today + dt.timedelta(days=14)


def test_nothing_can_be_deleted_from_the_admin(admin_client):
    yp = YoungPersonFactory()
    assert admin_client.get(f"/admin/careleavers/youngperson/{yp.pk}/delete/").status_code == 403
