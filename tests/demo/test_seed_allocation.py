"""demo/seed_allocation.py (issue 11): referrals waiting for a PA and a case on cover, through the services."""

import pytest
from django.utils import timezone

from careleavers.models import Cover, PlannedAbsence, Role, YoungPerson
from demo import seed_allocation
from tests.careleavers.helpers import young_person
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_seed_adds_unallocated_referrals_and_a_case_on_cover(north, tess):
    pas = [StaffFactory(role=Role.PA, team=north), StaffFactory(role=Role.PA, team=north)]
    young_person(pas[1])
    counts = seed_allocation.seed(today=timezone.localdate(),
                                  staff_by_role_and_team={(Role.PA, "north"): pas, (Role.TEAM_LEADER, "north"): [tess]})
    assert counts == {"unallocated referrals": 2, "cases on cover": 1}
    assert YoungPerson.objects.filter(pa__isnull=True, referring_team=north).count() == 2
    assert Cover.objects.get().pa == pas[0]
    absence = PlannedAbsence.objects.get(staff=pas[1])  # V5: the cover matches the absence
    assert (absence.start, absence.end) == (Cover.objects.get().start, Cover.objects.get().end)
    assert set(YoungPerson.objects.filter(pa__isnull=True).values_list("ref", flat=True)) == {"R-DEMO-1", "R-DEMO-2"}
