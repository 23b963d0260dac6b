"""Helpers shared by the plan and arrangement tests."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from compliance.engine import recompute_young_person
from core.dates import birthday
from tests.factories import ContactFactory, YoungPersonFactory


def make_young_person(pa, *, age: int = 19, allocated_days_ago: int = 100, **kwargs):
    """A young person in service today, allocated `allocated_days_ago` days ago, requirements computed."""
    today = timezone.localdate()
    yp = YoungPersonFactory(pa=pa, date_of_birth=birthday(today, -age) - dt.timedelta(days=30),
                            allocated_on=today - dt.timedelta(days=allocated_days_ago), **kwargs)
    recompute_young_person(yp)
    return yp


def visited(young_person, *, on: dt.date | None = None):
    """A completed home visit with the young person (C2): the visit before a review (reg 8(2)(b))."""
    return ContactFactory(young_person=young_person, date=on or timezone.localdate())


def requirement_codes(young_person) -> set[str]:
    return set(young_person.requirements.values_list("code", flat=True))


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


#: Issue 13: what a standard plan holds before it goes to the Team Leader (P5), for the services.
READY = {"young_persons_voice": "I want my own flat.", "contact_arrangements": "Visits every 8 weeks.",
         "participation": "took_part", "contingency_plan": "If the tenancy fails, call the duty team.",
         "contact_method": "visits", "contact_every_weeks": 8}
#: The same, as the edit form posts it.
READY_POST = {**READY, "contact_every_weeks": "8"}
