"""The Celery task is thin and does the same as `manage.py run_nightly`; it runs on a real worker
against the real Redis broker in CI, and eagerly elsewhere."""

import io
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import OperationalError

from careleavers.models import Notification
from config.celery import app
from oversight import services
from oversight.models import Alert, NightlyRun, RunState, Snapshot
from oversight.services import LEASE_EXPIRY, alerts_raise, run_claim, run_release
from oversight.tasks import BUSY_RETRY_SECONDS, alerts_send, nightly_run
from tests.services import port_open, require

from .conftest import AS_OF, at_noon


@pytest.mark.django_db
def test_o1_task_runs_eagerly_in_tests(service):
    with at_noon(AS_OF):
        result = nightly_run.delay().get()
    assert result["ran"] and result["night"] == "2026-03-01"
    assert NightlyRun.objects.get().state == RunState.DONE


@pytest.mark.django_db
def test_o1_command_is_the_same_work_and_runs_once(service):
    out = io.StringIO()
    with at_noon(AS_OF):
        call_command("run_nightly", stdout=out)
        call_command("run_nightly", "--as-of", "2026-03-01", stdout=out)
    text = out.getvalue()
    assert "Night 2026-03-01: 10 requirements" in text and "already done: nothing to do" in text
    assert NightlyRun.objects.count() == 1


@pytest.mark.django_db
def test_o1_command_reports_missed_nights(service):
    out, err = io.StringIO(), io.StringIO()
    with at_noon(AS_OF):
        call_command("run_nightly", stdout=out)
    call_command("run_nightly", "--as-of", "2026-03-05", stdout=out, stderr=err)
    assert "No completed run on 3 night(s): 2026-03-02, 2026-03-03, 2026-03-04" in err.getvalue()


def test_o1_command_refuses_a_bad_date():
    with pytest.raises(CommandError, match="not a date"):
        call_command("run_nightly", "--as-of", "1 March")


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_o1_task_runs_on_a_real_worker_through_redis(service):
    require(port_open("127.0.0.1", 6379), "Redis")
    queue = f"test-oversight-{uuid.uuid4().hex}"  # our own queue: nothing else's messages, none left behind
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        assert app.conf.broker_url == settings.CELERY_BROKER_URL
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=30):
            result = nightly_run.apply_async(kwargs={"as_of": AS_OF.isoformat()}, queue=queue).get(timeout=60)
            again = nightly_run.apply_async(kwargs={"as_of": AS_OF.isoformat()}, queue=queue).get(timeout=60)
    finally:
        app.conf.task_always_eager = previous
    assert result["ran"] and result["state"] == RunState.DONE and result["snapshot_rows"] > 0
    assert not again["ran"]
    run = NightlyRun.objects.get()
    assert run.night == AS_OF and run.worker  # the worker's host name
    assert Snapshot.objects.filter(run=run).count() == result["snapshot_rows"]


# --- surviving a crash ------------------------------------------------------------------------

@pytest.mark.parametrize("task", [nightly_run, alerts_send])
def test_o1_tasks_retry_with_backoff_and_are_redelivered_when_their_worker_is_lost(task):
    assert task.acks_late and task.reject_on_worker_lost
    assert task.autoretry_for == (Exception,) and task.retry_backoff and task.retry_jitter
    assert task.max_retries == 5 and task.retry_backoff_max == 600
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST


@pytest.mark.django_db
def test_o1_task_retries_a_failed_run_and_the_retry_does_the_night(service, monkeypatch):
    real, calls = services.recompute_night, []

    def fails_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "recompute_night", fails_once)
    with at_noon(AS_OF):
        # As a worker runs it (apply: the retry runs at once, where a worker would wait 30 s or so).
        result = nightly_run.apply(throw=False).get()
    run = NightlyRun.objects.get()
    assert result["ran"] and run.state == RunState.DONE and run.attempts == 2 and run.error == ""


@pytest.mark.django_db
def test_o1_task_for_a_night_a_live_run_holds_tries_again_then_leaves_it(service, monkeypatch):
    calls = []
    real = services.nightly_run
    monkeypatch.setattr(services, "nightly_run", lambda **kw: calls.append(1) or real(**kw))
    propagates = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False  # as on a worker: a retry is a retry, not an error
    with at_noon(AS_OF):
        claimed = run_claim(night=AS_OF, worker="alive")
        try:
            result = nightly_run.apply().get()
        finally:
            run_release(run=claimed)
            app.conf.task_eager_propagates = propagates
    assert not result["ran"] and result["state"] == RunState.RUNNING and result["worker"] == "alive"
    assert len(calls) == 1 + nightly_run.max_retries  # each retry asked again (on a worker: minutes apart)
    assert LEASE_EXPIRY.total_seconds() < BUSY_RETRY_SECONDS


@pytest.mark.django_db
def test_o1_send_task_sends_whatever_is_unsent(service):
    with at_noon(AS_OF):
        alerts_raise(run=None, night=AS_OF)
        unsent = Alert.objects.filter(sent_at__isnull=True).count()
        result = alerts_send.delay().get()
        again = alerts_send.delay().get()
    assert unsent > 0 and result["sent"] > 0 and again["sent"] == 0
    assert not Alert.objects.filter(sent_at__isnull=True).exists()
    assert Notification.objects.filter(kind__startswith="oversight.").exists()
