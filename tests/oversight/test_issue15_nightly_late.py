"""Issue 15, item 8: a dashboard whose last nightly run is late says so plainly."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from oversight.models import NightlyRun, RunState
from oversight.selectors import expected_night, nightly_status
from tests.conftest import login

pytestmark = pytest.mark.django_db

LONDON = dt.UTC  # December: London is on GMT


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=LONDON)


def done(night: dt.date) -> NightlyRun:
    now = timezone.now()
    return NightlyRun.objects.create(night=night, state=RunState.DONE, worker="test", started_at=now, finished_at=now)


def test_expected_night_is_yesterday_until_the_run_and_its_grace_have_passed():
    assert expected_night(now=at(2, 4, 0)) == dt.date(2026, 12, 1)  # 03:15 + an hour of grace
    assert expected_night(now=at(2, 4, 20)) == dt.date(2026, 12, 2)


def test_on_time_run_is_not_late():
    done(dt.date(2026, 12, 2))
    assert nightly_status(now=at(2, 10))["nightly_late"] is False
    assert nightly_status(now=at(2, 2))["nightly_late"] is False


def test_missing_run_is_late():
    done(dt.date(2026, 11, 30))
    assert nightly_status(now=at(2, 10))["nightly_late"] is True
    assert nightly_status(now=at(1, 2))["nightly_late"] is False


def test_failed_run_is_late():
    NightlyRun.objects.create(night=dt.date(2026, 12, 2), state=RunState.FAILED, worker="test", started_at=timezone.now())
    assert nightly_status(now=at(2, 10))["nightly_late"] is True


@pytest.mark.parametrize("persona, url_name", [("tess", "oversight:team"), ("sol", "oversight:service"),
                                                ("hana", "oversight:head")])
def test_every_dashboard_says_the_run_is_late(client, request, tess, sol, hana, persona, url_name):
    done(timezone.localdate() - dt.timedelta(days=3))
    login(client, request.getfixturevalue(persona))
    assert "The nightly run is late." in client.get(reverse(url_name)).content.decode()
    with time_machine.travel(timezone.now(), tick=False):
        done(timezone.localdate())
        assert "The nightly run is late." not in client.get(reverse(url_name)).content.decode()
