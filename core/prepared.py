"""Queries compiled once per process (issue 16).

A page asks the same questions on every request with different values: this member of staff's young people, today,
these 25 ids. Django builds and compiles each queryset afresh (half the Python of a caseload page: filters resolved,
joins set up, every expression compiled), although the SQL is the same text every time and only its parameters
change. `Prepared` builds the queryset once with stand-in values, compiles it, and remembers which parameter is
which value; later calls send the same SQL with the values given.

It is safe only if every value reaches the SQL as a parameter of its own, unchanged. So the query is built and
compiled twice with two different sets of stand-ins (absurd values no real row or code constant has: negative ids,
dates in 1901, text no ref or name holds): the two SQL texts must be identical, a parameter that is the same in both
is a constant of the query's own, and a parameter that differs must be exactly one of the stand-ins, else (a value
transformed, e.g. a date computed from today in Python) it raises ImproperlyConfigured rather than send a wrong query.
`build` must not branch on its values (an `if` on an id would choose its SQL by the stand-ins, which are negative):
it only passes them to filters.

PostgreSQL only: elsewhere (SQLite in development), and whenever a value is None (which can change the SQL: IS NULL),
the queryset is simply built with the values and run, so the result is the same. `tests/core/test_prepared.py`
checks both ways give the same rows.

Server-side prepared statements (settings.DATABASE_PREPARED, on unless `DATABASE_PREPARED=false`): Django's psycopg
cursor binds parameters on the client, so PostgreSQL parses and plans every query again on every request (about 3 ms
of a caseload page's database CPU was planning). `execute` sends these queries, whose SQL is always the same text,
through a server-binding psycopg cursor with `prepare=True` instead: the connection keeps each one as a named
prepared statement and, from its sixth execution (plan_cache_mode auto), a generic plan when that costs no more than
the custom ones. That pays only on a connection kept between requests (CONN_MAX_AGE > 0); a pooler in transaction
mode (pgbouncer) does not keep a session's prepared statements, so turn it off there. Ids, page limits and offsets
are sent as bigint whatever their size, so each query is one statement (psycopg would type 5 smallint and 50 000
integer, two statements). Everything else is as Django's own cursor: the same wrapper (query logging and counting,
a broken transaction refused, database errors as Django's), the same rows, the same logged SQL (the values in place,
as the client cursor showed them). The generic plans were compared with the custom ones on the 100 000 service
(docs/issue16-sixth-pass.md): where PostgreSQL switches, the plan and its time are the same; it keeps custom plans
for the caseloads' page queries; and one dashboard read's generic plan would be far slower, so plan_cache_mode stays
auto. Elsewhere (SQLite, the setting off, a connection without `prepare_threshold` in its OPTIONS) the SQL goes
through Django's cursor as before.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from psycopg.types.numeric import Int8

#: A value's kind: one whole number (an id), one date, one string (a keyset's ref), or a list of up to n ids (`Ids(n)`).
INT, DATE, TEXT = "int", "date", "text"


def server_prepared(connection) -> bool:
    """Whether `execute` sends its SQL as a server-side prepared statement on this connection (module docstring)."""
    return (
        connection.vendor == "postgresql"
        and getattr(settings, "DATABASE_PREPARED", False)
        and connection.settings_dict.get("OPTIONS", {}).get("prepare_threshold") is not None
    )


def execute(connection, sql: str, params: list, *, bigint: Iterable[int] = (), one: bool = False):
    """The rows of `sql` run with `params` (the first row if `one`), prepared on the server where it can be; the
    values at the positions `bigint` (ids, limits, offsets) are then sent as bigint."""
    if not server_prepared(connection):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone() if one else cursor.fetchall()
    with _wrapped(connection, _PreparingCursor) as cursor:
        cursor.execute(sql, _typed(params, bigint))
        found = cursor.fetchone() if one else cursor.fetchall()
    _logged(connection, sql, params)
    return found


def execute_together(connection, statements: list[tuple[str, list, Iterable[int]]]) -> list[list]:
    """Each statement's rows (`statements`: its SQL, its parameters and the positions sent as bigint, as `execute`
    takes them), sent in one round trip and each prepared on the server as `execute` prepares it alone: psycopg's
    pipeline mode queues every statement's messages and sends them with one Sync (core.batch). Through Django's
    cursor wrapper as one execute, as core.batch's client-bound execute of several statements: one query logged and
    counted (the statements' text joined with `;`, the values in place), a broken transaction refused, database
    errors as Django's. Only where `server_prepared(connection)`."""
    sql = ";\n".join(text for text, _params, _bigint in statements)
    params = [value for _sql, values, _bigint in statements for value in values]
    typed = [(text, _typed(values, bigint)) for text, values, bigint in statements]
    with _wrapped(connection, lambda raw: _PipelineCursor(raw, sql, typed)) as cursor:
        cursor.execute(sql, params)
        found = [cursor.fetchall()]
        for _statement in statements[1:]:
            cursor.nextset()
            found.append(cursor.fetchall())
    _logged(connection, sql, params)
    return found


def _typed(params: list, bigint: Iterable[int]) -> list:
    typed = list(params)
    for position in bigint:
        if type(typed[position]) is int:
            typed[position] = Int8(typed[position])
    return typed


def _wrapped(connection, cursor_of):
    """As BaseDatabaseWrapper._cursor, with `cursor_of(psycopg connection)` in place of the connection's
    client-binding cursor."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw = cursor_of(connection.connection)
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)


def _logged(connection, sql: str, params: list) -> None:
    if connection.queries_logged and connection.queries_log and connection.queries_log[-1]["sql"] is None:
        # psycopg keeps no text of a prepared execution: logged as Django's own cursor logs it, the values in place.
        connection.queries_log[-1]["sql"] = connection.ops.compose_sql(sql, params)


class _PreparingCursor(ServerBindingCursor):
    """Django's server-binding psycopg cursor, every execute prepared (psycopg's `prepare=True`)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


class _PipelineCursor(ServerBindingCursor):
    """`execute_together`'s statements in one pipeline, each on a `_PreparingCursor` of its own (a psycopg cursor
    keeps one execute's results); `fetchall` gives the current statement's rows and `nextset` moves to the next."""

    def __init__(self, connection, text: str, statements: list[tuple[str, list]]):
        super().__init__(connection)
        self._text, self._statements, self._cursors, self._current = text, statements, [], 0

    def execute(self, query, params=None, *, prepare=None, binary=None):
        if query != self._text:  # the wrapper's execute is the joined text this cursor was made for, nothing else
            raise ValueError("A pipeline cursor executes the statements it was made with.")
        self._cursors = [_PreparingCursor(self.connection) for _statement in self._statements]
        with self.connection.pipeline():  # one Sync at its end; each cursor's rows are in once it exits
            for cursor, (sql, values) in zip(self._cursors, self._statements, strict=True):
                cursor.execute(sql, values)
        self._current = 0
        return self

    def fetchall(self):
        return self._cursors[self._current].fetchall()

    def nextset(self):
        if self._current + 1 >= len(self._cursors):
            return None
        self._current += 1
        return True

    def close(self):
        for cursor in self._cursors:
            cursor.close()
        super().close()


class Ids:
    """Up to `n` ids for an `__in` (a page's young people): compiled as n parameters; a shorter list is padded by
    repeating its last id, which changes nothing in an IN."""

    def __init__(self, n: int):
        self.n = n


def _stand_ins(kinds: dict[str, Any], round_: int) -> tuple[dict[str, Any], dict[Any, tuple[str, int | None]]]:
    values: dict[str, Any] = {}
    where: dict[Any, tuple[str, int | None]] = {}
    number = 0
    for name, kind in kinds.items():
        if kind == INT:
            number += 1
            values[name] = -(round_ * 100_000_000 + number)
            where[values[name]] = (name, None)
        elif kind == DATE:
            number += 1
            values[name] = dt.date(1900 + round_, 1, 1) + dt.timedelta(days=number)
            where[values[name]] = (name, None)
        elif kind == TEXT:
            number += 1
            values[name] = f"\x1f stand-in {round_}.{number} \x1f"  # a unit separator: in no ref or name
            where[values[name]] = (name, None)
        elif isinstance(kind, Ids):
            values[name] = []
            for index in range(kind.n):
                number += 1
                values[name].append(-(round_ * 100_000_000 + number))
                where[values[name][-1]] = (name, index)
        else:
            raise ImproperlyConfigured(f"Unknown kind of value for {name!r}: {kind!r}")
    return values, where


class Prepared:
    """`build(**values)` gives a queryset; its SQL is compiled once per database and reused (module docstring).

    `rows(**values)`: a values_list queryset's rows (tuples, the fields' converters applied). `expression(**values)`:
    the query as an expression of another (`pk__in=...`), its SQL pasted in."""

    def __init__(self, build: Callable[..., QuerySet], **kinds: Any):
        self.build = build
        self.kinds = kinds
        self._compiled: dict[str, tuple[str, list[tuple[str, int | None] | tuple[None, Any]], Any]] = {}

    def _compile(self, alias: str):
        compiled = self._compiled.get(alias)
        if compiled is not None:
            return compiled
        texts = []
        for round_ in (1, 2):
            values, where = _stand_ins(self.kinds, round_)
            compiler = self.build(**values).query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            texts.append((sql, list(params), where, compiler))
        (sql, first, where, compiler), (other_sql, second, other_where, _) = texts
        if sql != other_sql or len(first) != len(second):
            raise ImproperlyConfigured("The query's SQL depends on its values: it cannot be prepared.")
        slots: list[tuple[str, int | None] | tuple[None, Any]] = []
        for one, two in zip(first, second, strict=True):
            if _same(one, two):
                slots.append((None, one))  # the query's own constant
            elif _key(one) in where and where[_key(one)] == other_where.get(_key(two)):
                slots.append(where[_key(one)])
            else:
                raise ImproperlyConfigured(f"A value reaches the SQL transformed ({one!r}): it cannot be prepared.")
        missing = set(self.kinds) - {name for name, _ in slots if name is not None}
        if missing:
            raise ImproperlyConfigured(f"Values not in the SQL: {sorted(missing)}")
        # As SQLCompiler.results_iter: the columns asked for (those added for the ordering are cut off), converted.
        width = compiler.col_count if compiler.has_extra_select else None
        converters = compiler.get_converters([s[0] for s in compiler.select[0:compiler.col_count]])
        compiled = self._compiled[alias] = (sql, slots, (compiler, converters, width))
        return compiled

    def _params(self, slots, values: dict[str, Any]) -> list:
        given = {}
        for name, kind in self.kinds.items():
            value = values[name]
            if isinstance(kind, Ids):
                value = list(value)
                if not value or len(value) > kind.n:
                    raise ValueError(f"{name}: between 1 and {kind.n} ids, not {len(value)}")
                value += [value[-1]] * (kind.n - len(value))
            given[name] = value
        params = []
        for name, index in slots:
            if name is None:
                params.append(index)  # a constant: (None, its value)
            else:
                params.append(given[name] if index is None else given[name][index])
        return params

    def _bigint(self, slots, count: int) -> list[int]:
        """The positions of the ids (INT, Ids) among `count` parameters; those past the slots are a limit, an offset."""
        ids = [position for position, (name, _) in enumerate(slots) if name is not None and self.kinds[name] not in (DATE, TEXT)]
        return ids + list(range(len(slots), count))

    def bigint(self, using: str = "default") -> list[int]:
        """The positions of `sql()`'s parameters that `execute` sends as bigint (the ids)."""
        _sql, slots, _ = self._compile(using)
        return self._bigint(slots, len(slots))

    def sql(self, using: str = "default", **values: Any) -> tuple[str, list]:
        sql, slots, _ = self._compile(using)
        return sql, self._params(slots, values)

    def rows(self, using: str = "default", *, limit: int | None = None, offset: int = 0, **values: Any) -> list[tuple]:
        """The rows; `limit` and `offset` (a page of an unsliced query) are parameters too."""
        connection = connections[using]
        if connection.vendor != "postgresql" or None in values.values():  # None can change the SQL (IS NULL)
            queryset = self.build(**values)
            if limit is not None:
                queryset = queryset[offset:offset + limit]
            return [tuple(row) for row in queryset]
        sql, slots, (compiler, converters, width) = self._compile(using)
        params = self._params(slots, values)
        if limit is not None:
            if compiler.query.is_sliced:
                raise ImproperlyConfigured("A sliced query takes no limit: build it unsliced.")
            sql, params = f"{sql} LIMIT %s OFFSET %s", [*params, int(limit), int(offset)]
        rows = execute(connection, sql, params, bigint=self._bigint(slots, len(params)))
        if width is not None:
            rows = [row[:width] for row in rows]
        if converters:
            rows = [tuple(row) for row in compiler.apply_converters(rows, converters)]
        return rows

    def expression(self, using: str = "default", **values: Any):
        """The query as a subquery expression, e.g. `people.filter(pk__in=visible.expression(...))`."""
        if connections[using].vendor != "postgresql" or None in values.values():
            return self.build(**values)
        sql, params = self.sql(using, **values)
        return RawSQL(sql, params)  # noqa: S611  # nosec B611  (SQL the ORM compiled; the values are parameters)


def _key(value: Any) -> Any:
    return value if isinstance(value, int | dt.date | str) and not isinstance(value, bool) else object()


def _same(one: Any, two: Any) -> bool:
    return type(one) is type(two) and one == two

