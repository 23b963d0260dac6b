"""A small hand-counted service, as of Sunday 1 March 2026 (england pack: visit every 56 days,
pathway review every 182; due soon 14 and 28 days before).

North (alice):  A1 visit 20 Feb, review 10 Jan      -> visit ok (due 17 Apr), review ok (due 11 Jul)
                A2 visit 10 Jan, review 20 Sep 2025 -> visit due soon (7 Mar), review due soon (21 Mar)
                A3 nothing since allocation 1 Jun   -> visit overdue (27 Jul 2025), review overdue (30 Nov 2025)
North (bella):  B1 visit 1 Dec 2025, review 1 Feb   -> visit overdue (26 Jan), review ok (2 Aug)
South (charlie): C1 visit 1 Nov 2025, review 1 Sep  -> visit overdue (27 Dec), review due soon (2 Mar)

North: 3 overdue (visit 2, review 1), 2 due soon. South: 1 overdue (visit), 1 due soon.
"""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine

from careleavers.models import Role
from compliance.engine import recompute
from tests.factories import ContactFactory, SignedOffPlanFactory, StaffFactory, YoungPersonFactory

AS_OF = dt.date(2026, 3, 1)
LONDON = ZoneInfo("Europe/London")


def at_noon(day: dt.date):
    """time_machine travel to midday London time on `day` (so timezone.localdate() is `day`)."""
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 12, 0, tzinfo=LONDON), tick=False)


@pytest.fixture
def bella(north):
    return StaffFactory(ref="bella", name="Bella Brown", role=Role.PA, team=north)


def person(pa, name, *, visit=None, review=None):
    yp = YoungPersonFactory(pa=pa, name=name)
    if visit:
        ContactFactory(young_person=yp, date=visit)
    if review:
        SignedOffPlanFactory(young_person=yp, version=1, review_date=review)
    return yp


@pytest.fixture
def service(alice, bella, charlie, tess, trent, sol, hana):
    people = SimpleNamespace(
        a1=person(alice, "Amy One", visit=dt.date(2026, 2, 20), review=dt.date(2026, 1, 10)),
        a2=person(alice, "Ann Two", visit=dt.date(2026, 1, 10), review=dt.date(2025, 9, 20)),
        a3=person(alice, "Abe Three"),
        b1=person(bella, "Ben One", visit=dt.date(2025, 12, 1), review=dt.date(2026, 2, 1)),
        c1=person(charlie, "Cat One", visit=dt.date(2025, 11, 1), review=dt.date(2025, 9, 1)),
    )
    recompute(AS_OF)
    return people


@pytest.fixture
def on_as_of():
    with at_noon(AS_OF):
        yield AS_OF
