"""Dated snapshots of the counts (O1 trends): hand-counted, and set-based whatever the caseload."""

import datetime as dt

import pytest

from compliance.engine import recompute
from oversight.models import NightlyRun, Snapshot
from oversight.services import alerts_raise, snapshot_take
from tests.factories import ContactFactory, YoungPersonFactory

from .conftest import AS_OF, at_noon

pytestmark = pytest.mark.django_db


def counts(night):
    return {
        (s.team.ref if s.team else None, s.pa.ref if s.pa else None, s.requirement, s.status): s.count
        for s in Snapshot.objects.filter(night=night).select_related("team", "pa")
    }


def test_o1_snapshot_counts_by_team_pa_requirement_and_status(service):
    run = NightlyRun.objects.create(night=AS_OF, started_at=dt.datetime(2026, 3, 1, 3, 15, tzinfo=dt.UTC))
    assert snapshot_take(run=run, night=AS_OF) == 10
    assert counts(AS_OF) == {
        ("north", "alice", "visit", "ok"): 1, ("north", "alice", "visit", "due_soon"): 1,
        ("north", "alice", "visit", "overdue"): 1,
        ("north", "alice", "pathway_review", "ok"): 1, ("north", "alice", "pathway_review", "due_soon"): 1,
        ("north", "alice", "pathway_review", "overdue"): 1,
        ("north", "bella", "visit", "overdue"): 1, ("north", "bella", "pathway_review", "ok"): 1,
        ("south", "charlie", "visit", "overdue"): 1, ("south", "charlie", "pathway_review", "due_soon"): 1,
    }


def test_o1_unallocated_young_person_is_counted_without_team():
    YoungPersonFactory(pa=None, name="No One")
    recompute(AS_OF)
    run = NightlyRun.objects.create(night=AS_OF, started_at=dt.datetime(2026, 3, 1, 3, 15, tzinfo=dt.UTC))
    snapshot_take(run=run, night=AS_OF)
    assert counts(AS_OF) == {(None, None, "visit", "overdue"): 1, (None, None, "pathway_review", "overdue"): 1}


def caseload(alice, n):
    for i in range(n):
        yp = YoungPersonFactory(pa=alice)
        if i % 2:
            ContactFactory(young_person=yp, date=dt.date(2026, 2, 1))
    recompute(AS_OF)


@pytest.mark.parametrize("people", [5, 50])
def test_o1_snapshot_is_one_aggregate_and_one_insert(alice, people, django_assert_num_queries):
    caseload(alice, people)
    run = NightlyRun.objects.create(night=AS_OF, started_at=dt.datetime(2026, 3, 1, 3, 15, tzinfo=dt.UTC))
    with django_assert_num_queries(1):  # issue 16: INSERT ... SELECT of the aggregate over requirement rows
        inserted = snapshot_take(run=run, night=AS_OF)
    assert inserted == Snapshot.objects.filter(run=run).count() > 0


@pytest.mark.parametrize("people", [5, 50])
def test_o1_raising_alerts_is_a_fixed_number_of_queries(alice, people, django_assert_num_queries):
    caseload(alice, people)
    run = NightlyRun.objects.create(night=AS_OF, started_at=dt.datetime(2026, 3, 1, 3, 15, tzinfo=dt.UTC))
    with at_noon(AS_OF), django_assert_num_queries(2):
        # issue 16, set-based: active pack / one INSERT ... SELECT of every kind (due soon, plan to TL, overdue,
        # absence, escalation)
        assert alerts_raise(run=run, night=AS_OF) > 0
