"""Shared by tests/careleavers and tests/contacts: young people dated relative to today, so the
tests do not age out of the service as the calendar moves."""

import datetime as dt

from django.utils import timezone

from compliance.engine import recompute_young_person
from core.dates import birthday
from tests.factories import YoungPersonFactory


def today() -> dt.date:
    return timezone.localdate()


def days_ago(n: int) -> dt.date:
    return today() - dt.timedelta(days=n)


def young_person(pa, *, age: int = 19, allocated_days_ago: int = 300, recompute: bool = True, **fields):
    """A young person in service today (aged `age`), allocated `allocated_days_ago` days ago."""
    t = today()
    dob = birthday(t, -age) - dt.timedelta(days=40)
    yp = YoungPersonFactory(pa=pa, date_of_birth=dob, allocated_on=t - dt.timedelta(days=allocated_days_ago), **fields)
    if recompute:
        recompute_young_person(yp)
    return yp


def requirement(yp, code: str = "visit"):
    return yp.requirements.get(code=code)
