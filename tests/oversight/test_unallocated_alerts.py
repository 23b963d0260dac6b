"""Issue 11, item 1 (V4): "PA allocated" overdue for a referral is raised at night and goes to the Team Leaders of
the team it was referred to (no PA holds it yet)."""

import datetime as dt

import pytest

from careleavers.models import Notification
from oversight.models import Alert, AlertOutcome
from oversight.services import nightly_run
from tests.factories import YoungPersonFactory

from .conftest import AS_OF, at_noon

pytestmark = pytest.mark.django_db


def test_overdue_pa_allocation_alerts_the_referring_team_leader(north, tess, trent):
    YoungPersonFactory(pa=None, allocated_on=None, referred_on=AS_OF - dt.timedelta(days=10), referring_team=north,
                       date_of_birth=dt.date(2008, 6, 1))
    with at_noon(AS_OF):
        nightly_run()
    alert = Alert.objects.get(requirement="pa_allocated")
    assert alert.outcome == AlertOutcome.SENT
    assert Notification.objects.filter(recipient=tess, kind__startswith="oversight.").exists()
    assert not Notification.objects.filter(recipient=trent).exists()
