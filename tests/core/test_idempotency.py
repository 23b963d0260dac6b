"""Issue 14 item 5: a create form's one-time token (core/idempotency.py): the second submit of the same
form is sent to the first's result and creates nothing; a race on a unique constraint is a refusal,
not a 500; a stale plan edit is refused with what changed, and nothing is overwritten."""

import datetime as dt
import re
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from careleavers.models import Event, PlannedAbsence
from careleavers.services import absence_add
from contacts.models import Contact, Escalation, InTouchCheck
from core.errors import InvalidState
from core.idempotency import ALREADY_DONE, KEEP_TOKENS, once_tokens_prune
from core.models import OnceToken
from oversight.services import nightly_run
from pathway import services as plan_services
from pathway.models import PathwayPlan
from returns.services import in_touch_check_record
from tests.careleavers.helpers import days_ago, today, young_person
from tests.conftest import login
from tests.contacts.test_views import home_visit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def token_of(response) -> str:
    match = re.search(r'name="once_token" value="([^"]+)"', response.content.decode())
    assert match, "the form carries a one-time token"
    return match.group(1)


def twice(client, url: str, data: dict):
    token = token_of(client.get(url))
    first = client.post(url, {**data, "once_token": token})
    second = client.post(url, {**data, "once_token": token}, follow=True)
    return first, second


@pytest.fixture
def yp(alice):
    return young_person(alice, allocated_days_ago=100)


def test_c1_same_contact_form_sent_twice_records_one_contact(client, alice, yp):
    login(client, alice)
    first, second = twice(client, reverse("contacts:log", args=[yp.pk]), home_visit(days_ago(1)))
    assert first.status_code == 302
    assert Contact.objects.filter(young_person=yp).count() == 1
    assert second.redirect_chain[-1][0] == first.url
    assert ALREADY_DONE in second.content.decode()
    assert OnceToken.objects.get().result_url == first.url


def test_c1_a_new_form_gets_a_new_token_and_records_again(client, alice, yp):
    login(client, alice)
    url = reverse("contacts:log", args=[yp.pk])
    for _ in range(2):
        client.post(url, {**home_visit(days_ago(1)), "once_token": token_of(client.get(url))})
    assert Contact.objects.filter(young_person=yp).count() == 2


def test_c1_a_refused_submit_keeps_its_token_usable(client, alice, yp):
    login(client, alice)
    url = reverse("contacts:log", args=[yp.pk])
    token = token_of(client.get(url))
    future = client.post(url, {**home_visit(today() + dt.timedelta(days=3)), "once_token": token})
    assert future.status_code == 200 and not OnceToken.objects.exists()
    assert client.post(url, {**home_visit(days_ago(1)), "once_token": token}).status_code == 302
    assert Contact.objects.filter(young_person=yp).count() == 1


def test_e1_same_escalation_form_sent_twice_records_one_step(client, alice, yp):
    login(client, alice)
    twice(client, reverse("contacts:escalate", args=[yp.pk]),
          {"step": "phone_call", "date": days_ago(1).isoformat(), "note": "Called twice."})
    assert Escalation.objects.filter(young_person=yp).count() == 1


def test_t6_same_event_form_sent_twice_records_one_event(client, alice, yp):
    login(client, alice)
    twice(client, reverse("event_new", args=[yp.pk]),
          {"kind": "custody_start", "date": days_ago(1).isoformat(), "notes": "Remanded"})
    assert Event.objects.filter(young_person=yp).count() == 1


def test_v5_same_absence_form_sent_twice_plans_one_absence(client, alice):
    login(client, alice)
    _first, second = twice(client, reverse("absences"), {
        "start": (today() + dt.timedelta(days=5)).isoformat(), "end": (today() + dt.timedelta(days=9)).isoformat(),
        "reason": "annual_leave"})
    assert PlannedAbsence.objects.filter(staff=alice).count() == 1
    assert second.status_code == 200 and ALREADY_DONE in second.content.decode()


def test_x1_same_in_touch_check_form_sent_twice_records_one_check(client, alice, yp):
    login(client, alice)
    twice(client, reverse("returns:record_check", args=[yp.pk]),
          {"date": days_ago(1).isoformat(), "in_touch": "YES", "activity": "F5", "accommodation": "D1"})
    assert InTouchCheck.objects.filter(young_person=yp).count() == 1


class _RacingManager:
    """A manager whose existence check misses the row another request has just written."""

    def __init__(self, model):
        self.model = model

    def filter(self, *args, **kwargs):
        return mock.Mock(exists=lambda: False)

    def create(self, **kwargs):
        return self.model.objects.create(**kwargs)


def test_x1_simultaneous_in_touch_checks_are_a_refusal_not_a_500(alice, yp):
    day = days_ago(1)
    in_touch_check_record(young_person=yp, date=day, in_touch="YES", activity="F5", accommodation="D1", actor=alice)
    with mock.patch("returns.services.InTouchCheck", mock.Mock(objects=_RacingManager(InTouchCheck))), \
            pytest.raises(InvalidState, match="a moment ago") as refused:
        in_touch_check_record(young_person=yp, date=day, in_touch="YES", activity="F5", accommodation="D1", actor=alice)
    assert refused.value.field == "date"
    assert InTouchCheck.objects.filter(young_person=yp).count() == 1


def test_v5_simultaneous_absences_are_a_refusal_not_a_500(alice):
    start, end = today() + dt.timedelta(days=5), today() + dt.timedelta(days=9)
    absence_add(staff=alice, actor=alice, start=start, end=end, reason="annual_leave")
    with mock.patch("careleavers.services.PlannedAbsence", mock.Mock(objects=_RacingManager(PlannedAbsence))), \
            pytest.raises(InvalidState, match="a moment ago"):
        absence_add(staff=alice, actor=alice, start=start, end=end, reason="annual_leave")
    assert PlannedAbsence.objects.filter(staff=alice).count() == 1


# --- the plan edit form carries the version it was read at ----------------------------------------

def test_p5_a_stale_plan_save_is_refused_with_what_changed_and_nothing_overwritten(client, alice, tess, yp):
    plan = plan_services.plan_start(young_person=yp, actor=alice)
    url = reverse("pathway:edit", args=[plan.pk])
    login(client, alice)
    read_at = re.search(r'name="read_at" value="([^"]+)"', client.get(url).content.decode()).group(1)
    # Someone else saves the health section after alice opened the form.
    other = plan_services.plan_update(plan=plan, actor=alice, content={"health": "Asthma: inhaler renewed."})
    response = client.post(url, {"read_at": read_at, "health": "Mine", "young_persons_voice": "My voice", "save": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert "after you opened it, so your changes were not saved" in body
    assert "Health now reads: “Asthma: inhaler renewed.”" in body
    assert "My voice" in body  # what alice typed is still in the form
    plan.refresh_from_db()
    assert (plan.health, plan.young_persons_voice) == ("Asthma: inhaler renewed.", "")
    # The form is now read at the version saved: a second, deliberate save goes through.
    assert f'value="{other.updated_at.isoformat()}"' in body
    again = client.post(url, {"read_at": other.updated_at.isoformat(), "health": "Mine", "save": ""})
    assert again.status_code == 302
    assert PathwayPlan.objects.get(pk=plan.pk).health == "Mine"


def test_p5_a_plan_save_at_the_current_version_goes_through(client, alice, yp):
    plan = plan_services.plan_start(young_person=yp, actor=alice)
    login(client, alice)
    response = client.post(reverse("pathway:edit", args=[plan.pk]),
                           {"read_at": plan_services.version_token(plan), "health": "Fine", "save": ""})
    assert response.status_code == 302


def test_tokens_older_than_a_week_are_pruned_by_the_nightly_run_and_newer_ones_still_catch_a_resend(client, alice, yp):
    login(client, alice)
    url = reverse("contacts:log", args=[yp.pk])
    first, _ = twice(client, url, home_visit(days_ago(1)))
    recent = OnceToken.objects.get()
    old = OnceToken.objects.create(user=recent.user, token="from-last-month", result_url="/")
    OnceToken.objects.filter(pk=old.pk).update(used_at=timezone.now() - KEEP_TOKENS - dt.timedelta(minutes=1))

    nightly_run()

    assert list(OnceToken.objects.values_list("token", flat=True)) == [recent.token]
    again = client.post(url, {**home_visit(days_ago(1)), "once_token": recent.token})
    assert again.url == first.url  # still caught: nothing recorded twice
    assert Contact.objects.filter(young_person=yp).count() == 1


def test_prune_keeps_a_token_used_just_inside_the_week():
    token = OnceToken.objects.create(user=UserFactory(), token="t")
    OnceToken.objects.filter(pk=token.pk).update(used_at=timezone.now() - KEEP_TOKENS + dt.timedelta(minutes=1))
    assert once_tokens_prune() == 0
    assert OnceToken.objects.count() == 1
