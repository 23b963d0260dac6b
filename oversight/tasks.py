"""Thin Celery tasks: the work is in oversight.services."""

import datetime as dt

from celery import shared_task

from . import services


@shared_task(name="oversight.tasks.nightly_run", bind=True)
def nightly_run(self, as_of: str | None = None) -> dict:
    """Beat runs this at the time in oversight.schedule.NIGHTLY_SCHEDULE."""
    night = dt.date.fromisoformat(as_of) if as_of else None
    return services.nightly_run(as_of=night, worker=self.request.hostname or "").as_dict()
