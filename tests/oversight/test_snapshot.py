"""Dated snapshots of the counts (O1 trends): hand-counted, and set-based whatever the caseload."""

import datetime as dt

import pytest
from django.db.models import Sum

from compliance.engine import recompute
from oversight.models import NightlyRun, OverdueByCode, OverdueByTeam, Snapshot
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
    """Issue 16: one INSERT ... SELECT of the snapshot, then one each of its overdue sums by team and by requirement
    (the trends read those). The pin went from 1 to 3 with those sums, agreed with the lead (seventh pass's design,
    docs/issue16-seventh-pass.md): two set-based statements a night, nothing per row."""
    caseload(alice, people)
    run = NightlyRun.objects.create(night=AS_OF, started_at=dt.datetime(2026, 3, 1, 3, 15, tzinfo=dt.UTC))
    # the snapshot, the aggregate over requirement rows / its overdue sums by team / by requirement
    with django_assert_num_queries(3):
        inserted = snapshot_take(run=run, night=AS_OF)
    assert inserted == Snapshot.objects.filter(run=run).count() > 0


def overdue_sums(run, key):
    return {(r[key] if key == "requirement" else r["team"], r["night"]): r["n"] for r in
            Snapshot.objects.filter(run=run, status="overdue").values("night", key).annotate(n=Sum("count"))}


def test_o1_the_snapshot_s_overdue_sums_by_team_and_requirement(service):
    """O1, by hand (the service of conftest.py): North has three overdue items (A3's visit and review, B1's visit),
    South one (C1's visit); three visits and one review in all. One row per team and per requirement."""
    run = NightlyRun.objects.create(night=AS_OF, started_at=dt.datetime(2026, 3, 1, 3, 15, tzinfo=dt.UTC))
    snapshot_take(run=run, night=AS_OF)
    by_team = {(r.team.ref if r.team else None, r.night, r.run_id): r.count
               for r in OverdueByTeam.objects.select_related("team")}
    assert by_team == {("north", AS_OF, run.pk): 3, ("south", AS_OF, run.pk): 1}
    by_code = {(r.requirement, r.night, r.run_id): r.count for r in OverdueByCode.objects.all()}
    assert by_code == {("visit", AS_OF, run.pk): 3, ("pathway_review", AS_OF, run.pk): 1}


@pytest.mark.parametrize("people", [5, 50])
def test_o1_the_overdue_sums_are_the_snapshot_s(alice, people):
    """Issue 16: whatever the caseload (some young people unallocated), the sums are the snapshot's overdue rows
    summed by team and by requirement, night by night."""
    caseload(alice, people)
    YoungPersonFactory(pa=None)
    recompute(AS_OF)
    for night in (AS_OF - dt.timedelta(days=7), AS_OF):
        run = NightlyRun.objects.create(night=night, started_at=dt.datetime(2026, 3, 1, 3, 15, tzinfo=dt.UTC))
        snapshot_take(run=run, night=night)
        assert {(r.team_id, r.night): r.count for r in OverdueByTeam.objects.filter(run=run)} == overdue_sums(run, "team")
        assert {(r.requirement, r.night): r.count for r in OverdueByCode.objects.filter(run=run)} == overdue_sums(
            run, "requirement")
        assert None in {r.team_id for r in OverdueByTeam.objects.filter(run=run)}


@pytest.mark.parametrize("people", [5, 50])
def test_o1_raising_alerts_is_a_fixed_number_of_queries(alice, people, django_assert_num_queries):
    caseload(alice, people)
    run = NightlyRun.objects.create(night=AS_OF, started_at=dt.datetime(2026, 3, 1, 3, 15, tzinfo=dt.UTC))
    with at_noon(AS_OF), django_assert_num_queries(2):
        # issue 16, set-based: active pack / one INSERT ... SELECT of every kind (due soon, plan to TL, overdue,
        # absence, escalation)
        assert alerts_raise(run=run, night=AS_OF) > 0
