"""Django's database session engines, the session read compiled once per process (issue 16).

Every signed-in request reads its session row: Django's `db` engine builds and compiles the same queryset
(`Session.objects.get(session_key=..., expire_date__gt=now)`) each time, about a tenth of the Python of a page that
does little else. `SESSION_ENGINE` names `accounts.session_engines.db` (or `.cached_db` with a cache, which reads
the database only when the cache misses): the same query, compiled once per process and database with stand-in
values, sent with the session's key and the time, as a server-side prepared statement where core.prepared sends
them. The SQL is Django's own; if its parameters are not exactly the two values (a backend that transforms one), or
on a database other than PostgreSQL, the read is Django's. Writes, deletes and the expired sessions' clearing are
Django's, unchanged."""

import datetime as dt
from functools import lru_cache

from django.db import connections, router
from django.utils import timezone

from core.prepared import execute

#: Stand-ins no session has: a key longer than the column allows, a time before any session.
_KEY = "accounts-session-engines-stand-in-key-" + "x" * 40
_WHEN = dt.datetime(1901, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


@lru_cache(maxsize=8)
def _compiled(model, alias: str):
    """(sql, the order of its two values, converters, compiler) of the session read on `alias`; None: Django's read."""
    if connections[alias].vendor != "postgresql":
        return None
    queryset = model._default_manager.filter(session_key=_KEY, expire_date__gt=_WHEN)  # noqa: SLF001
    compiler = queryset.values_list("session_data", "expire_date").query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    order = [{_KEY: "key", _WHEN: "when"}.get(p) if type(p) in (str, dt.datetime) else None for p in params]
    if sorted(order, key=str) != ["key", "when"]:
        return None  # a value reaches the SQL transformed, or another one does: not safe to resend with others
    converters = compiler.get_converters([s[0] for s in compiler.select[0 : compiler.col_count]])
    return sql, order, converters, compiler


class PreparedReadMixin:
    def _get_session_from_db(self):
        alias = router.db_for_read(self.model) or "default"
        compiled = _compiled(self.model, alias)
        if compiled is None:
            return super()._get_session_from_db()
        sql, order, converters, compiler = compiled
        values = {"key": self.session_key, "when": timezone.now()}
        rows = execute(connections[alias], sql, [values[name] for name in order])
        if converters:
            rows = [tuple(row) for row in compiler.apply_converters(rows, converters)]
        if not rows:
            self._session_key = None  # as Django's: no such session, or it has expired
            return None
        session_data, expire_date = rows[0]
        return self.model(session_key=self.session_key, session_data=session_data, expire_date=expire_date)
