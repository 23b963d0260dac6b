"""Issue 11: the case record's demo data is consistent with the record it fills."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from careleavers.models import AccommodationPeriod, AddressPeriod, Flag, FlagKind, YoungPerson
from demo.seed_case_record import seed
from tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db


def test_seed_fills_the_histories_without_overlaps_and_flags_the_vulnerable(alice):
    today = timezone.localdate()
    people = [YoungPersonFactory(pa=alice, address=f"{i} Road", accommodation="own_tenancy", vulnerable=i == 0,
                                 allocated_on=today - dt.timedelta(days=300)) for i in range(4)]
    counts = seed(today=today, young_people=people, rng=random.Random(3))
    assert counts["accommodation periods"] >= 4
    for yp in YoungPerson.objects.all():
        assert AddressPeriod.objects.get(young_person=yp, end__isnull=True).address == yp.address
        assert AccommodationPeriod.objects.get(young_person=yp, end__isnull=True).code == "U"
        flagged = Flag.objects.filter(young_person=yp, kind=FlagKind.VULNERABLE, cleared_on__isnull=True).exists()
        assert flagged == yp.vulnerable
