"""O1: a nightly run that survives a crash.

A run killed mid-way (a lost worker, a machine restart) rolls its transaction back and leaves the
night "running" with no live lease: the next run takes the night over and does the night's work.
A kill is simulated with an exception no handler catches (as a SIGKILL runs none): the `except`
that marks a night "failed" does not run, so the ledger row stays "running".
"""

import datetime as dt
import io
import time

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from careleavers.models import Notification
from core.models import AuditEvent, AuditKind
from oversight import services
from oversight.models import Alert, NightlyRun, RunState, Snapshot
from oversight.services import (
    ADVISORY_LOCK_CLASS,
    LEASE_EXPIRY,
    nightly_run,
    run_claim,
    run_heartbeat,
    run_release,
)
from oversight.tasks import alerts_send
from tests.services import require

from .conftest import AS_OF, LONDON, at_noon

pytestmark = pytest.mark.django_db


class WorkerKilledError(BaseException):
    """Stands in for SIGKILL: nothing catches it, so nothing marks the night failed."""


def after_the_lease(day: dt.date = AS_OF):
    """Later the same day, once a dead run's heartbeat has expired (PostgreSQL needs no wait)."""
    moment = dt.datetime(day.year, day.month, day.day, 12, 0, tzinfo=LONDON) + LEASE_EXPIRY + dt.timedelta(minutes=1)
    return time_machine.travel(moment, tick=False)


def killed_run(monkeypatch, name: str, *, day: dt.date = AS_OF) -> None:
    """A run on `day` whose worker is killed when it reaches services.<name>."""

    def killed(*args, **kwargs):
        raise WorkerKilledError(name)

    monkeypatch.setattr(services, name, killed)
    with at_noon(day), pytest.raises(WorkerKilledError):
        nightly_run(worker="dies")
    monkeypatch.undo()


@pytest.mark.parametrize("where", ["recompute_night", "missed_nights_before", "alerts_raise"])
def test_o1_a_run_killed_mid_way_is_taken_over_by_the_rerun(service, monkeypatch, where):
    killed_run(monkeypatch, where)
    run = NightlyRun.objects.get()
    assert run.state == RunState.RUNNING and run.worker == "dies" and run.finished_at is None
    # Its transaction rolled back: nothing of the night's work is left half done.
    assert (Snapshot.objects.count(), Alert.objects.count(), Notification.objects.count()) == (0, 0, 0)

    with after_the_lease():
        result = nightly_run(worker="rerun")
    run.refresh_from_db()
    assert result.ran and run.state == RunState.DONE and run.worker == "rerun" and run.attempts == 2
    assert run.snapshot_rows == Snapshot.objects.filter(run=run).count() > 0
    assert run.alerts_raised == Alert.objects.filter(run=run).count() > 0
    assert result.alerts_sent > 0 and not Alert.objects.filter(sent_at__isnull=True).exists()
    assert Notification.objects.exists()
    assert AuditEvent.objects.get(kind=AuditKind.NIGHTLY_RUN).data["attempts"] == 2


def test_o1_a_killed_run_that_was_filling_missed_nights_leaves_them_to_the_rerun(service, monkeypatch):
    with at_noon(AS_OF):
        nightly_run()
    later = AS_OF + dt.timedelta(days=4)
    killed_run(monkeypatch, "alerts_raise", day=later)
    missed = [dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)]
    assert not NightlyRun.objects.filter(night__in=missed).exists()
    assert not Snapshot.objects.filter(night__gt=AS_OF).exists()

    with after_the_lease(later):
        result = nightly_run(worker="rerun")
    assert result.ran and result.filled_nights == missed
    assert set(Snapshot.objects.filter(night__gt=AS_OF).values_list("night", flat=True)) == {*missed, later}
    assert NightlyRun.objects.filter(state=RunState.DONE).count() == 5


def test_o1_a_run_killed_while_sending_leaves_the_rest_to_the_send_task(service, monkeypatch):
    def die_after_writing(**kwargs):
        raise WorkerKilledError("killed while sending")

    # Issue 16: sending is one transaction, so a kill after its writes (the alerts marked, the notifications
    # inserted) and before its commit leaves every alert of the run unsent, whichever way they are written.
    monkeypatch.setattr(services, "_digests_queue_at_commit", die_after_writing)
    with at_noon(AS_OF), pytest.raises(WorkerKilledError):
        nightly_run()
    monkeypatch.undo()
    assert NightlyRun.objects.get().state == RunState.DONE  # the night's work was committed before sending
    unsent = Alert.objects.filter(sent_at__isnull=True).count()
    assert unsent > 0
    with at_noon(AS_OF):
        sent = alerts_send.delay().get()["sent"]
    assert sent > 0 and not Alert.objects.filter(sent_at__isnull=True).exists()


def test_o1_heartbeat_refreshes_the_lease_only_while_the_night_is_the_runs(service):
    with at_noon(AS_OF):
        run = run_claim(night=AS_OF, worker="w1")
    assert run is not None
    try:
        with after_the_lease():
            assert run_heartbeat(run=run)
            assert NightlyRun.objects.get().heartbeat_at == timezone.now()
        # Another run took the night over (the attempt number moved on): the old run's beat is refused.
        NightlyRun.objects.filter(pk=run.pk).update(attempts=2)
        assert not run_heartbeat(run=run)
    finally:
        run_release(run=run)


def test_o1_a_run_taken_over_meanwhile_does_not_finish_the_night(service, monkeypatch):
    real = services.escalation_reviews_request

    def taken_over(*, run, night):
        NightlyRun.objects.filter(pk=run.pk).update(attempts=run.attempts + 1, worker="other")
        return real(run=run, night=night)

    monkeypatch.setattr(services, "escalation_reviews_request", taken_over)
    with at_noon(AS_OF):
        result = nightly_run(worker="slow")
    assert not result.ran
    assert Snapshot.objects.count() == 0 and Alert.objects.count() == 0  # rolled back, not finished twice
    assert not AuditEvent.objects.filter(kind=AuditKind.NIGHTLY_RUN).exists()


def test_o1_a_live_heartbeat_keeps_the_night(service):
    if connection.vendor == "postgresql":
        pytest.skip("on PostgreSQL the lease is the advisory lock (below)")
    with at_noon(AS_OF):
        NightlyRun.objects.create(night=AS_OF, worker="alive", started_at=timezone.now() - dt.timedelta(hours=2),
                                  heartbeat_at=timezone.now() - LEASE_EXPIRY + dt.timedelta(seconds=5))
        result = nightly_run(worker="other")
    assert result.busy and result.worker == "alive" and not result.nothing_to_do
    assert Snapshot.objects.count() == 0


def other_session():
    other = connections.create_connection("default")
    assert other.settings_dict["NAME"] == connection.settings_dict["NAME"]  # advisory locks are per database
    return other


def test_o1_pg_the_lease_is_the_run_sessions_advisory_lock(service):
    require(connection.vendor == "postgresql", "PostgreSQL")
    with at_noon(AS_OF):
        NightlyRun.objects.create(night=AS_OF, worker="w1", started_at=timezone.now() - dt.timedelta(hours=2),
                                  heartbeat_at=timezone.now() - dt.timedelta(hours=2))
    worker = other_session()  # the run's own connection, on another machine
    try:
        with worker.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [ADVISORY_LOCK_CLASS, AS_OF.toordinal()])
        with at_noon(AS_OF):
            # An old heartbeat means nothing here: the session holding the lock is alive.
            assert nightly_run(worker="w2").busy
    finally:
        worker.close()  # the worker dies: PostgreSQL ends its session and its lock with it
    for _ in range(50):  # the server ends the closed session a moment later
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objid = %s",
                           [ADVISORY_LOCK_CLASS, AS_OF.toordinal()])
            if cursor.fetchone()[0] == 0:
                break
        time.sleep(0.1)
    with at_noon(AS_OF):  # no waiting for an expiry
        result = nightly_run(worker="w2")
    assert result.ran and NightlyRun.objects.get().attempts == 2
    # The run released its lock when it finished: another session can take it at once.
    checker = other_session()
    try:
        with checker.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [ADVISORY_LOCK_CLASS, AS_OF.toordinal()])
            assert cursor.fetchone()[0] is True
    finally:
        checker.close()


def test_o1_command_says_nothing_to_do_exactly_when_the_night_is_done(service, monkeypatch):
    def run_command(moment):
        out, err = io.StringIO(), io.StringIO()
        with moment:
            call_command("run_nightly", stdout=out, stderr=err)
        return out.getvalue() + err.getvalue()

    killed_run(monkeypatch, "recompute_night")
    if connection.vendor != "postgresql":  # the dead run's heartbeat has not expired yet
        text = run_command(at_noon(AS_OF))
        assert "is being run by dies and is not done yet" in text and "nothing to do" not in text
    text = run_command(after_the_lease())  # the lease is gone: the rerun does the night
    assert "Night 2026-03-01: 10 requirements" in text and "nothing to do" not in text
    assert "Night 2026-03-01 already done: nothing to do." in run_command(after_the_lease())

    # Alerts left unsent make a done night not "nothing to do": the command sends them.
    Alert.objects.filter(pk=Alert.objects.first().pk).update(sent_at=None, outcome="")
    text = run_command(after_the_lease())
    assert "already done; sent 1 alert(s) left unsent" in text and "nothing to do" not in text
    assert "nothing to do" in run_command(after_the_lease())


def test_o1_a_failed_night_is_not_nothing_to_do(service, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "snapshot_take", broken)
    with at_noon(AS_OF), pytest.raises(RuntimeError):
        nightly_run()
    monkeypatch.undo()
    out = io.StringIO()
    with at_noon(AS_OF):
        call_command("run_nightly", stdout=out)
    assert "Night 2026-03-01: 10 requirements" in out.getvalue()
