"""The nightly run's ledger (O1): once a night, one worker at a time, gaps noticed and recorded."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from careleavers.models import Notification
from compliance.engine import requirements_as_of
from compliance.models import Requirement
from oversight.models import Alert, AlertKind, NightlyRun, RunState, Snapshot
from oversight.services import LEASE_EXPIRY, missed_nights_before, nightly_run, run_claim, run_release
from tests.factories import ContactFactory

from .conftest import AS_OF, at_noon

pytestmark = pytest.mark.django_db


def run_on(day: dt.date, **kwargs):
    with at_noon(day):
        return nightly_run(**kwargs)


def test_o1_run_records_the_night_in_the_ledger(service):
    result = run_on(AS_OF, worker="test")
    run = NightlyRun.objects.get()
    assert result.ran and run.night == AS_OF and run.state == RunState.DONE and run.finished_at is not None
    assert run.requirements == 10 == Requirement.objects.count()
    assert run.snapshot_rows == Snapshot.objects.filter(run=run).count() > 0
    assert run.missed_nights == []


def test_o1_same_night_twice_makes_no_second_snapshot_or_alert(service):
    first = run_on(AS_OF)
    snapshots, alerts, notes = Snapshot.objects.count(), Alert.objects.count(), Notification.objects.count()
    assert first.ran and alerts > 0 and notes > 0
    second = run_on(AS_OF)
    assert not second.ran and second.state == RunState.DONE
    assert NightlyRun.objects.count() == 1
    assert (Snapshot.objects.count(), Alert.objects.count(), Notification.objects.count()) == (snapshots, alerts, notes)


def test_o1_a_run_already_claimed_by_another_worker_is_left_to_it(service):
    with at_noon(AS_OF):
        claimed = run_claim(night=AS_OF, worker="worker-1")  # worker 1 is mid-run, its lease alive
        try:
            result = nightly_run(worker="worker-2")
        finally:
            run_release(run=claimed)
    assert claimed is not None and not result.ran and result.state == RunState.RUNNING
    assert Snapshot.objects.count() == 0 and Alert.objects.count() == 0
    assert NightlyRun.objects.get().worker == "worker-1"


def test_o1_gap_of_three_nights_is_recorded_and_the_state_is_still_right(service):
    run_on(AS_OF)
    later = AS_OF + dt.timedelta(days=4)  # no run on 2, 3, 4 March
    result = run_on(later)
    assert result.missed_nights == [dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)]
    assert NightlyRun.objects.get(night=later).missed_nights == ["2026-03-02", "2026-03-03", "2026-03-04"]
    # C1's review (due 2 Mar) went overdue during the gap: the run reads the data, so it knows.
    assert Alert.objects.filter(young_person=service.c1, requirement="pathway_review", kind=AlertKind.OVERDUE,
                                due=dt.date(2026, 3, 2), raised_on=later).exists()
    overdue = Snapshot.objects.filter(night=later, status="overdue", requirement="pathway_review", pa__ref="charlie")
    assert sum(s.count for s in overdue) == 1


def test_o1_missed_nights_get_their_snapshots_as_of_each_night(service):
    run_on(AS_OF)
    later = AS_OF + dt.timedelta(days=4)
    result = run_on(later)
    missed = [dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)]
    assert result.filled_nights == missed
    done = NightlyRun.objects.filter(night__in=missed, state=RunState.DONE).order_by("night")
    assert list(done.values_list("night", flat=True)) == missed
    # C1's review is due on 2 March: not yet overdue that night, overdue from the 3rd.
    def overdue_reviews(night):
        return sum(s.count for s in Snapshot.objects.filter(
            night=night, status="overdue", requirement="pathway_review", pa__ref="charlie"))
    assert [overdue_reviews(n) for n in missed] == [0, 1, 1]
    # The stored rows are as of the run's night again, and the next run sees no gap.
    assert set(Requirement.objects.values_list("young_person_id", "code", "due")) == {
        (r.young_person_id, r.code, r.due) for r in requirements_as_of(later)
    }
    assert missed_nights_before(later + dt.timedelta(days=1)) == []


def test_o1_first_run_ever_has_no_gap(service):
    assert missed_nights_before(AS_OF) == []


def test_o1_failed_run_is_retried_and_leaves_nothing_half_done(service, monkeypatch):
    from oversight import services

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "alerts_raise", broken)
    with pytest.raises(RuntimeError):
        run_on(AS_OF)
    run = NightlyRun.objects.get()
    assert run.state == RunState.FAILED and "disk full" in run.error
    assert Snapshot.objects.count() == 0  # rolled back with the rest of the night's work
    monkeypatch.undo()
    result = run_on(AS_OF)
    run.refresh_from_db()
    assert result.ran and run.state == RunState.DONE and run.attempts == 2 and run.error == ""


def test_o1_abandoned_run_is_taken_over_once_its_lease_is_gone(service):
    with at_noon(AS_OF):
        stale = timezone.now() - LEASE_EXPIRY - dt.timedelta(seconds=1)
        NightlyRun.objects.create(night=AS_OF, worker="dead", started_at=stale, heartbeat_at=stale)
        result = nightly_run(worker="alive")
    assert result.ran
    run = NightlyRun.objects.get()
    assert run.worker == "alive" and run.attempts == 2 and run.state == RunState.DONE


def test_o1_running_claim_with_a_recent_heartbeat_is_not_taken_over(service):
    if connection.vendor == "postgresql":
        pytest.skip("on PostgreSQL the lease is the advisory lock (test_crash.py), not the heartbeat")
    with at_noon(AS_OF):
        NightlyRun.objects.create(night=AS_OF, worker="busy", started_at=timezone.now() - dt.timedelta(hours=1),
                                  heartbeat_at=timezone.now() - dt.timedelta(seconds=30))
        assert run_claim(night=AS_OF, worker="other") is None


def test_o1_run_for_another_date_leaves_stored_rows_as_of_today(service):
    visited = AS_OF + dt.timedelta(days=5)
    ContactFactory(young_person=service.a3, date=visited)
    with at_noon(AS_OF + dt.timedelta(days=10)):
        nightly_run(as_of=AS_OF)  # as of 1 March the visit had not happened
    assert Alert.objects.filter(young_person=service.a3, requirement="visit", kind=AlertKind.OVERDUE).exists()
    assert Requirement.objects.get(young_person=service.a3, code="visit").last_met == visited


@pytest.mark.django_db(transaction=True)
def test_o1_two_concurrent_runs_do_not_double_up(service):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite's shared-cache test database locks whole tables)")
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker(name):
        try:
            barrier.wait(timeout=10)
            results.append(nightly_run(as_of=AS_OF, worker=name))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sorted(r.ran for r in results) == [False, True]
    run = NightlyRun.objects.get()
    assert Snapshot.objects.filter(night=AS_OF).count() == run.snapshot_rows
    assert Alert.objects.count() == run.alerts_raised
    assert len(set(Alert.objects.values_list("young_person", "requirement", "kind", "due"))) == Alert.objects.count()
