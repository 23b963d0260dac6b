"""Issue 15, item 9: the history page names the young person; the timeline shows contact times; a withdrawn request
leaves no unread notification behind for the Team Leader."""

import datetime as dt

import pytest
from django.urls import reverse

from approvals import services as approvals_services
from careleavers.models import Notification
from contacts.models import Method, Outcome
from tests.approvals.test_services import request
from tests.careleavers.helpers import days_ago
from tests.conftest import login
from tests.factories import ContactFactory
from tests.pathway.helpers import make_young_person

pytestmark = pytest.mark.django_db


def test_history_page_names_the_young_person(client, alice, tess):
    yp = make_young_person(alice, name="Maya Hussain")
    login(client, tess)
    body = client.get(reverse("young_person_history", args=[yp.pk])).content.decode()
    assert "History of Maya Hussain" in body and "<title>History: Maya Hussain" in body


def test_history_shows_times_without_seconds_and_not_the_young_persons_own_link(client, alice, tess):
    yp = make_young_person(alice, name="Maya Hussain")
    contact = ContactFactory(young_person=yp, date=days_ago(2), time=dt.time(13, 0), method=Method.PHONE,
                             outcome=Outcome.COMPLETED)
    contact.time = dt.time(16, 45)
    contact.save()
    login(client, tess)
    body = client.get(reverse("young_person_history", args=[yp.pk])).content.decode()
    assert "13:00 → 16:45" in body and "13:00:00" not in body
    assert f"#{yp.pk}<" not in body and f": #{yp.pk}" not in body


def test_timeline_shows_contact_times_newest_first(client, alice):
    yp = make_young_person(alice, name="Maya Hussain")
    ContactFactory(young_person=yp, date=days_ago(2), time=dt.time(9, 5), method=Method.PHONE, outcome=Outcome.COMPLETED)
    ContactFactory(young_person=yp, date=days_ago(2), time=dt.time(16, 40), method=Method.TEXT,
                   outcome=Outcome.COMPLETED)
    login(client, alice)
    body = client.get(reverse("young_person", args=[yp.pk])).content.decode()
    assert " 09:05</strong>" in body and " 16:40</strong>" in body
    assert body.index(" 16:40</strong>") < body.index(" 09:05</strong>")


def test_withdrawn_request_leaves_no_unread_notification_for_the_team_leader(alice, tess, charlie, trent):
    yp = make_young_person(alice, name="Maya Hussain")
    arrangement = request(yp, alice)
    assert Notification.objects.filter(recipient=tess, read_at__isnull=True).count() == 1
    other = Notification.objects.create(recipient=tess, kind="other", message="Something else", url="/x/")
    approvals_services.arrangement_withdraw(arrangement=arrangement, actor=alice, reason="Changed their mind")
    assert not Notification.objects.filter(recipient=tess, read_at__isnull=True).exclude(pk=other.pk).exists()
    other.refresh_from_db()
    assert other.read_at is None  # only the request's own notifications are settled
