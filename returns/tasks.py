"""Issue 16, item 2: the returns are worked out by this task (nightly, on demand, or by the command)."""

from celery import shared_task
from django.utils import timezone

from .computed import returns_compute, years_due

RETRY = {"acks_late": True, "reject_on_worker_lost": True, "autoretry_for": (Exception,),
         "retry_backoff": 30, "retry_backoff_max": 600, "retry_jitter": True, "max_retries": 3}


@shared_task(name="returns.tasks.returns_compute", **RETRY)
def returns_compute_task(year: int | None = None, run: str = "nightly run") -> list[int]:
    """Works out and stores the returns of `year` (by default the years the nightly run covers)."""
    years = [year] if year is not None else years_due(timezone.localdate())
    return [returns_compute(year=y, run=run).pk for y in years]
