"""The oversight schedules, defined once: beat's PeriodicTask rows are made from NIGHTLY_SCHEDULE
(the nightly run) and ALERTS_SCHEDULE (sending whatever alerts are unsent, every few minutes).

03:15 London time because on the last Sunday of March 01:00-02:00 does not exist and on the
last Sunday of October it happens twice; a run at 03:15 happens exactly once every night. (The
ledger would stop a second run anyway.)
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections, transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask


@dataclass(frozen=True)
class NightlySchedule:
    name: str
    task: str
    hour: int
    minute: int
    timezone: str
    description: str


NIGHTLY_SCHEDULE = NightlySchedule(
    name="Nightly compliance run",
    task="oversight.tasks.nightly_run",
    hour=3,
    minute=15,
    timezone="Europe/London",
    description="Recompute every requirement, snapshot the counts and raise alerts (O1, V2, V4, V5, P2, E3).",
)


@dataclass(frozen=True)
class EverySchedule:
    name: str
    task: str
    minutes: int
    description: str

    @property
    def expire_seconds(self) -> int:
        # A copy still queued when the next is due is dropped (a worker down for hours sends once).
        return self.minutes * 60


ALERTS_SCHEDULE = EverySchedule(
    name="Send oversight alerts",
    task="oversight.tasks.alerts_send",
    minutes=5,
    description="Send every alert row not yet sent, so alerts a crash left unsent go out within minutes (O1).",
)


def next_run_after(moment: dt.datetime, schedule: NightlySchedule = NIGHTLY_SCHEDULE) -> dt.datetime:
    """The first scheduled time strictly after `moment` (aware), in the schedule's time zone."""
    zone = ZoneInfo(schedule.timezone)
    local = moment.astimezone(zone)
    day = local.date()
    while True:
        candidate = dt.datetime.combine(day, dt.time(schedule.hour, schedule.minute), tzinfo=zone)
        if candidate > local:
            return candidate
        day += dt.timedelta(days=1)


def night_of(moment: dt.datetime, schedule: NightlySchedule = NIGHTLY_SCHEDULE) -> dt.date:
    """The night a run started at `moment` computes for: its London calendar date."""
    return moment.astimezone(ZoneInfo(schedule.timezone)).date()


@transaction.atomic
def ensure_schedule(schedule: NightlySchedule = NIGHTLY_SCHEDULE):
    """Create or correct beat's row for the nightly run. Idempotent; a disabled row stays disabled
    (an operator turned it off on purpose)."""
    if schedule.timezone != settings.CELERY_TIMEZONE:  # one clock for beat, the task and the dates
        raise ValueError(f"The nightly schedule is in {schedule.timezone} but CELERY_TIMEZONE is {settings.CELERY_TIMEZONE}")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute=str(schedule.minute), hour=str(schedule.hour), day_of_week="*", day_of_month="*", month_of_year="*",
        timezone=schedule.timezone,
    )
    task, created = PeriodicTask.objects.get_or_create(
        name=schedule.name,
        defaults={"task": schedule.task, "crontab": crontab, "description": schedule.description, "enabled": True},
    )
    if not created and (task.task, task.crontab_id, task.interval_id, task.description) != (
        schedule.task, crontab.pk, None, schedule.description
    ):
        task.task, task.crontab, task.interval, task.solar, task.clocked = schedule.task, crontab, None, None, None
        task.description = schedule.description
        task.save()
    return task


@transaction.atomic
def ensure_every(schedule: EverySchedule = ALERTS_SCHEDULE):
    """Create or correct beat's row for a task run every few minutes; as ensure_schedule."""
    interval, _ = IntervalSchedule.objects.get_or_create(every=schedule.minutes, period=IntervalSchedule.MINUTES)
    wanted = {"task": schedule.task, "interval": interval, "description": schedule.description,
              "expire_seconds": schedule.expire_seconds}
    task, created = PeriodicTask.objects.get_or_create(name=schedule.name, defaults={**wanted, "enabled": True})
    if not created and (task.task, task.interval_id, task.crontab_id, task.description, task.expire_seconds) != (
        schedule.task, interval.pk, None, schedule.description, schedule.expire_seconds
    ):
        task.task, task.interval, task.crontab, task.solar, task.clocked = schedule.task, interval, None, None, None
        task.description, task.expire_seconds = schedule.description, schedule.expire_seconds
        task.save()
    return task


def ensure_schedules() -> None:
    ensure_schedule(NIGHTLY_SCHEDULE)
    ensure_every(ALERTS_SCHEDULE)


def ensure_schedule_after_migrate(using: str = "default", **kwargs) -> None:
    # `migrate some_app` can finish before beat's tables exist; the next full migrate makes the rows.
    if PeriodicTask._meta.db_table in connections[using].introspection.table_names():
        ensure_schedules()
