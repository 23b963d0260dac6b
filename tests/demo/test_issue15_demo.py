"""Issue 15, item 8: `seed_demo` leaves a demo whose nightly work is done as of today (alerts raised and sent,
dashboards current), with coherent data, and each feature's demo data is one call after the base data."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from careleavers.models import LegalStatus, Notification, YoungPerson
from core.dates import age_on
from demo.management.commands import seed_demo
from oversight.models import Alert, NightlyRun, RunState
from returns.computed import years_due
from returns.dfe import upn_is_valid
from returns.models import ReturnsComputation
from tests.careleavers.helpers import today

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(monkeypatch):
    calls = []

    def feature_seed(*, today, staff_by_role_and_team, young_people):
        calls.append((today, staff_by_role_and_team, len(young_people)))
        return {"feature records": 2}

    monkeypatch.setattr(seed_demo, "FEATURE_SEEDS", [feature_seed])
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return {"calls": calls, "output": out.getvalue()}


def _demo_nightly_run_done_as_of_today_with_alerts(demo, client):
    run = NightlyRun.objects.get(night=today())
    assert run.state == RunState.DONE and run.alerts_raised > 0
    assert Alert.objects.filter(sent_at__isnull=False).exists()
    assert Notification.objects.filter(kind__startswith="oversight.").exists()  # the PAs and Team Leaders were told
    assert "alerts raised tonight" in demo["output"]
    client.force_login(YoungPerson.objects.first().pa.user.__class__.objects.get(username="service-leader"))
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
    [(day, staff, people)] = demo["calls"]
    assert day == today() and people == YoungPerson.objects.count()
    assert ("pa", "north") in staff and len(staff[("pa", "north")]) == 3
    assert "2 feature records" in demo["output"]


def test_demo_as_of_today(demo, client):
    """One seed for all four checks (seed_demo takes a while)."""
    _demo_nightly_run_done_as_of_today_with_alerts(demo, client)
    _demo_legal_status_matches_age(demo)
    _most_demo_young_people_have_a_valid_upn(demo)
    _feature_seeds_are_called_once_after_the_base_data(demo)
