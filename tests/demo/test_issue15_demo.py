"""Issue 15, item 8: `seed_demo` leaves a demo whose nightly work is done as of today (alerts raised and sent,
dashboards current), with coherent data, and each feature's demo data is one call after the base data.

Checked on the full demo (`make run`'s, every feature module: tests/seeded.py, made once per test process and shared
with the other full-demo tests); its feature modules are only wrapped to note how they were called."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from careleavers.models import LegalStatus, Notification, YoungPerson
from core.dates import age_on
from demo.management.commands import seed_demo
from oversight.models import Alert, NightlyRun, RunState
from returns.computed import years_due
from returns.dfe import upn_is_valid
from returns.models import ReturnsComputation
from tests.seeded import full_demo
from tests.seeded import full_demo_today as today  # the seed's day, whichever side of midnight the test runs

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("full-demo")]  # one worker seeds it (tests/seeded.py)


@pytest.fixture
def demo():
    demo = full_demo()
    return {"calls": demo["feature calls"], "output": demo["output"]}


def _demo_nightly_run_done_as_of_today_with_alerts(demo, client):
    run = NightlyRun.objects.get(night=today())
    assert run.state == RunState.DONE and run.alerts_raised > 0
    assert Alert.objects.filter(sent_at__isnull=False).exists()
    assert Notification.objects.filter(kind__startswith="oversight.").exists()  # the PAs and Team Leaders were told
    assert "alerts raised tonight" in demo["output"]
    client.force_login(get_user_model().objects.get(username="service-leader"))
    assert "The nightly run is late." not in client.get(reverse("oversight:service")).content.decode()
    # issue 16, item 2: the returns are worked out too, so the Returns page shows them rather than its empty state
    assert {c.year for c in ReturnsComputation.objects.all()} == set(years_due(today()))


def _demo_legal_status_matches_age(demo):
    for yp in YoungPerson.objects.all():
        age = age_on(yp.date_of_birth, today())
        if age < 18:
            assert yp.legal_status in (LegalStatus.ELIGIBLE, LegalStatus.RELEVANT, LegalStatus.QUALIFYING), yp.ref
        else:
            assert yp.legal_status in (LegalStatus.FORMER_RELEVANT, LegalStatus.QUALIFYING), yp.ref


def _most_demo_young_people_have_a_valid_upn(demo):
    upns = list(YoungPerson.objects.values_list("upn", flat=True))
    with_upn = [u for u in upns if u]
    assert len(with_upn) >= 0.7 * len(upns)
    assert all(upn_is_valid(u) for u in with_upn)


def _feature_seeds_are_called_once_after_the_base_data(demo):
    calls = demo["calls"]
    assert [call["name"] for call in calls] == [seed.__module__ for seed in seed_demo.FEATURE_SEEDS]  # each once, in order
    base = calls[0]["young people"]
    assert base == seed_demo.YOUNG_PEOPLE == calls[0]["young people in the database"]  # the base data, nothing more
    for call in calls:
        assert call["today"] == today() and call["young people"] == base, call["name"]
        assert call["staff"][("pa", "north")] == 3, call["name"]
    printed = {}
    for call in calls:
        for kind, n in (call["returned"] or {}).items():
            printed[kind] = printed.get(kind, 0) + n
    assert printed and all(f"{n} {kind}" in demo["output"] for kind, n in printed.items()), printed


def test_demo_as_of_today(demo, client):
    """One seed for all four checks (seed_demo takes a while): the full demo's."""
    _demo_nightly_run_done_as_of_today_with_alerts(demo, client)
    _demo_legal_status_matches_age(demo)
    _most_demo_young_people_have_a_valid_upn(demo)
    _feature_seeds_are_called_once_after_the_base_data(demo)
