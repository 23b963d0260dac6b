"""Reads that may come from a PostgreSQL read replica (issue 16): the dashboards and exports.

When `DATABASE_REPLICA_URL` is set the settings add a `replica` alias; views that only read
aggregates for managers run inside `replica_reads()` (or carry `@reads_from_replica`), and while
they do the router sends their reads there. Every write, and every read outside those blocks
(a caseload, a young person's page, anything a write depends on), stays on `default`, so a
replica's lag never shows on a page where someone has just saved. Without the alias nothing changes.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings

REPLICA = "replica"
_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def reads_from_replica(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(*args, **kwargs):
        with replica_reads():
            return view(*args, **kwargs)
    return wrapped


class ReplicaRouter:
    """settings.DATABASE_ROUTERS: reads inside replica_reads() go to the replica when there is one."""

    def db_for_read(self, model, **hints):
        if _replica_reads.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as default

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"  # the replica follows the primary by replication, never by migrate
