"""The nightly schedule is defined once (NIGHTLY_SCHEDULE) and beat's row is made from it."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from oversight.schedule import ALERTS_SCHEDULE, NIGHTLY_SCHEDULE, ensure_every, ensure_schedule, next_run_after, night_of

LONDON = ZoneInfo("Europe/London")


def london(*args):
    return dt.datetime(*args, tzinfo=LONDON)


def test_o1_schedule_is_nightly_in_london_time():
    assert (NIGHTLY_SCHEDULE.hour, NIGHTLY_SCHEDULE.minute, NIGHTLY_SCHEDULE.timezone) == (3, 15, "Europe/London")
    assert NIGHTLY_SCHEDULE.task == "oversight.tasks.nightly_run"


@pytest.mark.parametrize("moment, expected", [
    (london(2026, 3, 1, 12, 0), london(2026, 3, 2, 3, 15)),
    (london(2026, 3, 2, 3, 14), london(2026, 3, 2, 3, 15)),
    (london(2026, 3, 2, 3, 15), london(2026, 3, 3, 3, 15)),
    # Clocks go forward at 01:00 on 29 March 2026: 03:15 still happens, once, at 02:15 UTC.
    (london(2026, 3, 28, 23, 0), london(2026, 3, 29, 3, 15)),
    # Clocks go back at 02:00 on 25 October 2026: 01:00-02:00 happens twice, 03:15 once.
    (london(2026, 10, 24, 23, 0), london(2026, 10, 25, 3, 15)),
])
def test_o1_next_run_is_0315_london_every_night_across_clock_changes(moment, expected):
    following = next_run_after(moment)
    assert following == expected and following.utcoffset() == expected.utcoffset()


def test_o1_run_computes_for_the_london_date():
    assert night_of(dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC)) == dt.date(2026, 7, 1)  # 00:30 BST
    assert night_of(dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)) == dt.date(2026, 12, 31)


@pytest.mark.django_db
def test_o1_beat_row_exists_after_migrate_and_ensure_is_idempotent():
    task = PeriodicTask.objects.get(name=NIGHTLY_SCHEDULE.name)  # made by the post_migrate handler
    assert task.task == "oversight.tasks.nightly_run" and task.enabled
    assert (task.crontab.minute, task.crontab.hour, str(task.crontab.timezone)) == ("15", "3", "Europe/London")
    ensure_schedule()
    ensure_schedule()
    assert PeriodicTask.objects.filter(name=NIGHTLY_SCHEDULE.name).count() == 1
    assert CrontabSchedule.objects.filter(minute="15", hour="3").count() == 1


@pytest.mark.django_db
def test_o1_ensure_schedule_corrects_a_changed_row_but_keeps_it_disabled():
    task = PeriodicTask.objects.get(name=NIGHTLY_SCHEDULE.name)
    every_minute = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.MINUTES)
    task.crontab, task.interval, task.task, task.enabled = None, every_minute, "something.else", False
    task.save()
    ensure_schedule()
    task.refresh_from_db()
    assert task.task == NIGHTLY_SCHEDULE.task and task.interval is None and task.crontab.hour == "3"
    assert task.enabled is False  # switched off by an operator: stays off


@pytest.mark.django_db
def test_o1_beat_finds_the_run_due_at_0315_london_on_the_clock_change_night():
    schedule = PeriodicTask.objects.get(name=NIGHTLY_SCHEDULE.name).crontab.schedule
    last = london(2026, 3, 28, 3, 15)
    with time_machine.travel(london(2026, 3, 29, 3, 10), tick=False):
        assert not schedule.is_due(last).is_due
    with time_machine.travel(london(2026, 3, 29, 3, 16), tick=False):
        assert schedule.is_due(last).is_due


@pytest.mark.django_db
def test_o1_sending_is_its_own_periodic_task_every_few_minutes():
    task = PeriodicTask.objects.get(name=ALERTS_SCHEDULE.name)  # made by the post_migrate handler, beside the nightly row
    assert task.task == "oversight.tasks.alerts_send" and task.enabled and task.crontab is None
    assert (task.interval.every, task.interval.period) == (5, IntervalSchedule.MINUTES)
    assert task.expire_seconds == 300  # a copy queued while workers were down is dropped, not piled up
    task.interval, task.task, task.enabled = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.DAYS), "x", False
    task.save()
    ensure_every()
    ensure_every()
    task.refresh_from_db()
    assert task.task == ALERTS_SCHEDULE.task and task.interval.every == 5 and task.enabled is False
    assert PeriodicTask.objects.filter(name=ALERTS_SCHEDULE.name).count() == 1
