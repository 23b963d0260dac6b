"""compliance.status: overdue (V4), due soon (V2, P2) and days overdue, in Python and in SQL,
at the boundaries: the day before the window opens, its first day, the due day, the day after."""

import datetime as dt

import pytest

from compliance.models import Basis, Requirement, Status
from compliance.status import (
    days_overdue,
    days_overdue_expression,
    needs_attention_q,
    status_expression,
    status_for,
    status_q,
)
from tests.careleavers.helpers import young_person

DUE = dt.date(2026, 3, 2)
WINDOW = DUE - dt.timedelta(days=14)  # V2: two weeks ahead
ONE_DAY = dt.timedelta(days=1)

#: (day, status, days overdue)
BOUNDARIES = [
    (WINDOW - ONE_DAY, Status.OK, 0),  # the day before the window opens
    (WINDOW, Status.DUE_SOON, 0),  # V2: its first day
    (DUE, Status.DUE_SOON, 0),  # V4: not overdue on the due day itself
    (DUE + ONE_DAY, Status.OVERDUE, 1),  # V4: overdue the day after
    (DUE + dt.timedelta(days=30), Status.OVERDUE, 30),
]


@pytest.mark.parametrize(("day", "status", "overdue_days"), BOUNDARIES)
def test_v2_v4_status_and_days_overdue_at_the_boundaries(day, status, overdue_days):
    assert status_for(DUE, WINDOW, day) == status
    assert days_overdue(DUE, day) == overdue_days


def test_p2_a_review_window_of_28_days():
    window = DUE - dt.timedelta(days=28)
    assert status_for(DUE, window, window - ONE_DAY) == Status.OK
    assert status_for(DUE, window, window) == Status.DUE_SOON


def test_v2_v4_unknown_status_is_refused():
    with pytest.raises(ValueError, match="Unknown status"):
        status_q("late", DUE)


@pytest.mark.django_db
@pytest.mark.parametrize(("day", "status", "overdue_days"), BOUNDARIES)
def test_v2_v4_the_sql_form_agrees_with_the_python_form(alice, day, status, overdue_days):
    yp = young_person(alice, recompute=False)
    Requirement.objects.create(young_person=yp, code="visit", due=DUE, due_soon_from=WINDOW, basis=Basis.INTERVAL,
                               computed_for=WINDOW)
    rows = Requirement.objects.filter(young_person=yp)
    row = rows.annotate(status=status_expression(day), days_overdue=days_overdue_expression(day)).get()
    assert (row.status, row.days_overdue) == (status, overdue_days)
    assert [s for s in Status.values if rows.filter(status_q(s, day)).exists()] == [status]
    assert rows.filter(needs_attention_q(day)).exists() == (status != Status.OK)
    # through a relation, as the caseload and dashboards ask
    people = type(yp).objects.filter(pk=yp.pk)
    assert people.filter(status_q(status, day, "requirements__")).exists()
