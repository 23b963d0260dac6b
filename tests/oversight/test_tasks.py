"""The Celery task is thin and does the same as `manage.py run_nightly`; it runs on a real worker
against the real Redis broker in CI, and eagerly elsewhere."""

import io
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.management import CommandError, call_command

from config.celery import app
from oversight.models import NightlyRun, RunState, Snapshot
from oversight.tasks import nightly_run
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
