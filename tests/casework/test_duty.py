"""Issue 12 (items 4-7), item 7: duty and break-glass search. A Team Leader puts a PA of their team on duty for a
day; while on duty the PA finds anyone in the service and opens a record with a reason (an audit event per
opening, the grant for that day only); outside duty, search finds only the young people the person may see."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from careleavers.duty import break_glass_open, duty_assign, young_people_search
from careleavers.models import BreakGlassGrant, DutyDay, Notification, YoungPerson
from core.errors import InvalidState, NotAllowed, ServiceError
from core.models import AuditEvent, AuditKind
from tests.careleavers.helpers import today, young_person
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def jamie(charlie):
    """South's young person: not on alice's caseload."""
    return young_person(charlie, name="Jamie Southgate", ref="S-0042")


def search(user, q):
    return list(young_people_search(user=user.user, query=q, today=today())[0])


def test_duty_is_put_by_the_team_leader_of_the_pas_team(alice, charlie, tess, trent, sol):
    duty = duty_assign(actor=tess, staff=alice, date=today(), today=today())
    assert duty.assigned_by == tess and AuditEvent.objects.filter(kind=AuditKind.DUTY_ASSIGNED).count() == 1
    assert Notification.objects.filter(recipient=alice, kind="duty").exists()
    with pytest.raises(InvalidState):
        duty_assign(actor=tess, staff=alice, date=today(), today=today())
    for refused in (trent, sol, charlie):  # another team's Team Leader, the Service Leader, a PA
        with pytest.raises(NotAllowed):
            duty_assign(actor=refused, staff=alice, date=today() + dt.timedelta(days=1), today=today())
    with pytest.raises(ServiceError) as past:
        duty_assign(actor=tess, staff=alice, date=today() - dt.timedelta(days=1), today=today())
    assert past.value.field == "date"
    with pytest.raises(ServiceError, match="Only a Personal Adviser"):
        duty_assign(actor=tess, staff=tess, date=today(), today=today())


def test_outside_duty_search_finds_only_whom_the_person_may_see(alice, charlie, tess, sol, jamie):
    mine = young_person(alice, name="Jamie Northcott")
    assert search(alice, "jamie") == [mine]
    assert search(tess, "Jamie") == [mine]  # North's Team Leader: North's young people
    assert set(search(sol, "jamie")) == {mine, jamie}  # the Service Leader sees everyone anyway
    assert search(alice, "S-0042") == []


def test_on_duty_search_finds_anyone_by_name_reference_or_date_of_birth(alice, tess, jamie):
    DutyDay.objects.create(staff=alice, date=today(), assigned_by=tess)
    assert search(alice, "southgate") == [jamie]
    assert search(alice, "s-0042") == [jamie]
    assert jamie in search(alice, jamie.date_of_birth.strftime("%d/%m/%Y"))
    assert jamie in search(alice, f"{jamie.date_of_birth.day} {jamie.date_of_birth:%b %Y}")
    assert search(alice, "") == []


def test_duty_is_for_that_day_only(alice, tess, jamie):
    DutyDay.objects.create(staff=alice, date=today() + dt.timedelta(days=1), assigned_by=tess)
    assert search(alice, "southgate") == []  # tomorrow's duty is not today's


def test_break_glass_needs_duty_and_a_reason_and_lasts_the_day(alice, charlie, tess, trent, jamie):
    with pytest.raises(NotAllowed, match="not on duty"):
        break_glass_open(actor=alice, young_person=jamie, reason="Duty call from the housing officer.")
    DutyDay.objects.create(staff=alice, date=today(), assigned_by=tess)
    with pytest.raises(ServiceError) as short:
        break_glass_open(actor=alice, young_person=jamie, reason="call")
    assert short.value.field == "reason"
    assert not YoungPerson.objects.visible_to(alice.user).filter(pk=jamie.pk).exists()

    break_glass_open(actor=alice, young_person=jamie, reason="Duty call from the housing officer.")
    assert YoungPerson.objects.visible_to(alice.user).filter(pk=jamie.pk).exists()
    event = AuditEvent.objects.get(kind=AuditKind.BREAK_GLASS_OPENED)
    assert event.actor == alice and event.young_person == jamie and "housing officer" in event.data["reason"]
    assert Notification.objects.filter(recipient=trent, kind="break_glass", young_person=jamie).exists()
    # The grant is for that day: tomorrow the record is out of sight again (the normal rule is unchanged).
    tomorrow = today() + dt.timedelta(days=1)
    assert not YoungPerson.objects.visible_to(alice.user, on=tomorrow).filter(pk=jamie.pk).exists()
    with time_machine.travel(dt.datetime.combine(tomorrow, dt.time(12)), tick=False):
        assert not YoungPerson.objects.visible_to(alice.user).filter(pk=jamie.pk).exists()


def test_the_pages_search_open_with_a_reason_each_opening_logged(client, alice, tess, jamie):
    login(client, alice)
    assert client.get(reverse("young_person", args=[jamie.pk])).status_code == 404
    response = client.get(reverse("search"), {"q": "southgate"})
    assert response.context["results"] == [] and not response.context["service_wide"]
    assert client.get(reverse("break_glass", args=[jamie.pk])).status_code == 403  # not on duty

    DutyDay.objects.create(staff=alice, date=today(), assigned_by=tess)
    response = client.get(reverse("search"), {"q": "southgate"})
    assert response.context["results"] == [(jamie, False)]
    assert reverse("break_glass", args=[jamie.pk]) in response.content.decode()
    refused = client.post(reverse("break_glass", args=[jamie.pk]), {"reason": ""})
    assert refused.status_code == 200 and not BreakGlassGrant.objects.exists()
    opened = client.post(reverse("break_glass", args=[jamie.pk]), {"reason": "The police rang the duty line."})
    assert opened.status_code == 302 and opened["Location"] == reverse("young_person", args=[jamie.pk])
    assert client.get(reverse("young_person", args=[jamie.pk])).status_code == 200
    assert AuditEvent.objects.filter(kind=AuditKind.BREAK_GLASS_OPENED, young_person=jamie).count() == 1
    assert AuditEvent.objects.filter(kind=AuditKind.RECORD_VIEWED, young_person=jamie, actor=alice).count() == 1
    # Once open today, the search links straight to the record.
    assert client.get(reverse("search"), {"q": "southgate"}).context["results"] == [(jamie, True)]


def test_duty_rota_page_for_team_leaders_only(client, alice, tess, sol):
    assert login(client, alice).get(reverse("duty_rota")).status_code == 403
    assert login(client, sol).get(reverse("duty_rota")).status_code == 403
    login(client, tess)
    page = client.get(reverse("duty_rota"))
    assert page.status_code == 200 and list(page.context["form"].fields["staff"].queryset) == [alice]
    assert client.post(reverse("duty_rota"), {"staff": alice.pk, "date": today().isoformat()}).status_code == 302
    assert DutyDay.objects.get().staff == alice
    assert "Search" in client.get(reverse("caseload")).content.decode()
