"""Thin Celery tasks: the work is in oversight.services.

Both survive a crash: a task is acknowledged only when it has finished (acks_late) and put back on
the queue when its worker process dies (reject_on_worker_lost), so another worker runs it again; an
error is retried with exponential backoff. Both are safe to run twice: the nightly ledger's lease
decides who does the night, and each alert is claimed before it is sent.
"""

import datetime as dt

from celery import current_app, shared_task

from . import services

#: Retry settings shared by the oversight tasks (a database restart, a lost connection).
RETRY = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (Exception,),
    "retry_backoff": 30,  # 30 s, 60 s, 120 s ... (with jitter)
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}

#: Issue 16, item 2: the returns task the nightly run queues when it has done a night.
RETURNS_TASK = "returns.tasks.returns_compute"

#: A night another run holds is tried again after this long: if that run died, its lease is gone by then.
BUSY_RETRY_SECONDS = int(services.LEASE_EXPIRY.total_seconds()) + 60


@shared_task(name="oversight.tasks.nightly_run", bind=True, **RETRY)
def nightly_run(self, as_of: str | None = None) -> dict:
    """Beat runs this at the time in oversight.schedule.NIGHTLY_SCHEDULE."""
    night = dt.date.fromisoformat(as_of) if as_of else None
    result = services.nightly_run(as_of=night, worker=self.request.hostname or "")
    if result.busy and self.request.retries < self.max_retries:
        # Another run holds the night. If it is alive it finishes the night and the retry finds it done;
        # if it died (its message may be this one, re-delivered), the retry takes the night over.
        raise self.retry(countdown=BUSY_RETRY_SECONDS)
    if result.ran and not as_of:
        # Issue 16, item 2: then the returns are worked out and stored for the Returns page, as their own
        # task (named, not imported: returns sits beside oversight in the layers).
        current_app.tasks[RETURNS_TASK].delay(None, f"nightly run of {result.night:%-d %b %Y}")
    return result.as_dict()


@shared_task(name="oversight.tasks.alerts_send", bind=True, **RETRY)
def alerts_send(self) -> dict:
    """Beat runs this every few minutes (oversight.schedule.ALERTS_SCHEDULE): sends whatever is unsent."""
    return {"sent": services.alerts_send()}


@shared_task(name="oversight.tasks.digests_send", acks_late=True)
def digests_send(sent_at: str, first: int, last: int) -> dict:
    """Issue 16: the digest e-mails of one alerts_send, queued when its transaction commits. Not retried on an
    error (a retry after some were sent would send them twice); the notifications are there either way."""
    return {"emails": services.digests_send(sent_at=dt.datetime.fromisoformat(sent_at), first=first, last=last)}
