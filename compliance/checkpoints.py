# ruff: noqa: S608  (the SQL is built from this module's own order names and keys, never user text; values are parameters)
"""A page of the whole service's open cases from the nearest checkpoint (issue 16, PostgreSQL).

CaseloadCheckpoint keeps, for each of CaseloadSummary's index orders, the sort keys of every `stride`-th open case
and how many open cases sort strictly before them, exact in every transaction (migration compliance 0014's trigger).
The page of `take` open cases from position `start` of an order is then: the checkpoint at or before `start`
(there is always one at position 0, below every key), the index read from its keys onwards, and fewer than
`stride` entries skipped from there, instead of an OFFSET of `start` entries (about 47 000 in the middle of
100 000 people).

"From its keys onwards" in an order of several keys, some nullable, is not one range of the index, so it is read
as the ranges that make it up, in order: the rows equal to the checkpoint in every key but the last (ref) and at or
after its ref; then those equal in every key but the last two and after it in the one before; and so on (a nullable
key, sorted last, adds the range of its nulls after its values; a checkpoint whose key is null is equal only to
nulls). Each range is an index range in the index's order, cut to the entries the page can need; the ranges whose
condition on the checkpoint is false are not read at all (one-time filters). The rows are the same as the OFFSET
query's, row for row: tests/compliance/test_checkpoints.py compares every page of every order with it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from django.db import connection, transaction

SUMMARY = "compliance_caseloadsummary"
CHECKPOINTS = "compliance_caseloadcheckpoint"


@dataclass(frozen=True)
class Key:
    """One key of an index order: its SQL over the summary's (or a checkpoint's) columns."""

    sql: str
    descending: bool = False
    nullable: bool = False  # sorted last, ascending (PostgreSQL's default), as the indexes are


#: CaseloadSummary's index orders (compliance.models.CaseloadSummary.Meta.indexes, after `closed`), each with the
#: first checkpoint's keys (urgency, next_due, name, date_of_birth, ref: below every row's, at position 0).
#: Its dates are the first and last that Python can hold, not PostgreSQL's -infinity and infinity, which psycopg cannot
#: read back (a read of every model's rows, as the import's tests make, would fail).
INDEX_ORDERS: dict[str, tuple[tuple[Key, ...], str]] = {
    "urgency": (
        (Key("urgency"), Key("next_due", nullable=True), Key("ref")),
        "-1::smallint, NULL::date, ''::varchar, NULL::date, ''::varchar",
    ),
    "next_due": (
        (Key("next_due", nullable=True), Key("ref")),
        "NULL::smallint, '0001-01-01'::date, ''::varchar, NULL::date, ''::varchar",
    ),
    "next_due_desc": (
        (Key("COALESCE(next_due, '0001-01-01'::date)", descending=True), Key("ref")),
        "NULL::smallint, '9999-12-31'::date, ''::varchar, NULL::date, ''::varchar",
    ),
    "name": ((Key("name"), Key("ref")), "NULL::smallint, NULL::date, ''::varchar, NULL::date, ''::varchar"),
    "dob": (
        (Key("date_of_birth", nullable=True), Key("ref")),
        "NULL::smallint, NULL::date, ''::varchar, '0001-01-01'::date, ''::varchar",
    ),
}

#: Each caseload sort (compliance.selectors.SUMMARY_ORDERS) as an index order and whether it is read reversed.
SORT_INDEX: dict[str, tuple[str, bool]] = {
    "status": ("urgency", False),
    "-status": ("urgency", True),
    "due": ("next_due", False),
    "-due": ("next_due_desc", False),
    "name": ("name", False),
    "-name": ("name", True),
    "-age": ("dob", False),
    "age": ("dob", True),
}


def in_use() -> bool:
    """The checkpoints are kept only by PostgreSQL's triggers."""
    return connection.vendor == "postgresql"


def _ranges(keys: tuple[Key, ...]) -> list[list[str]]:
    """The conditions of each range that "at or after the checkpoint" is made of, in the order's order."""

    def at(key: Key) -> str:
        return f"(SELECT {key.sql} FROM c)"  # nosec B608  (this module's own key SQL)

    def equal(prefix: tuple[Key, ...]) -> list[list[str]]:
        variants: list[list[str]] = [[]]
        for key in prefix:
            if key.nullable:
                variants = [
                    *([*v, f"{key.sql} = {at(key)}"] for v in variants),
                    *([*v, f"{key.sql} IS NULL", f"{at(key)} IS NULL"] for v in variants),
                ]
            else:
                variants = [[*v, f"{key.sql} = {at(key)}"] for v in variants]
        return variants

    ranges = []
    for n in range(len(keys) - 1, -1, -1):
        key = keys[n]
        if key.nullable and key.descending:
            raise ValueError("a nullable key is read ascending, its nulls last")
        for prefix in equal(keys[:n]):
            if n == len(keys) - 1:  # the last key is unique (ref): at or after
                ranges.append([*prefix, f"{key.sql} {'<=' if key.descending else '>='} {at(key)}"])
                continue
            ranges.append([*prefix, f"{key.sql} {'<' if key.descending else '>'} {at(key)}"])
            if key.nullable:
                ranges.append([*prefix, f"{key.sql} IS NULL", f"{at(key)} IS NOT NULL"])
    return ranges


@cache
def page_ids_sql(order: str) -> tuple[str, int]:
    """The SQL of the ids of `take` open cases from position `start` of an index order, and how many ranges it
    reads (for page_ids_params). Parameters: page_ids_params(order, start=..., take=...)."""
    keys, first = INDEX_ORDERS[order]
    order_by = ", ".join(f"{key.sql}{' DESC' if key.descending else ''}" for key in keys)
    ranges = _ranges(keys)
    reads = " UNION ALL ".join(
        f"(SELECT young_person_id, {number} AS part, row_number() OVER (ORDER BY {order_by}) AS n FROM ("  # nosec B608
        f"SELECT young_person_id, urgency, next_due, name, date_of_birth, ref FROM {SUMMARY} "
        f"WHERE closed = false AND {' AND '.join(conditions)} ORDER BY {order_by} "
        f"LIMIT (SELECT %s - position + %s FROM c)) AS r)"
        for number, conditions in enumerate(ranges)
    )
    sql = (
        f"WITH c AS (SELECT * FROM ((SELECT position, urgency, next_due, name, date_of_birth, ref FROM {CHECKPOINTS}"  # nosec B608
        f" WHERE \"order\" = '{order}' AND position <= %s ORDER BY position DESC LIMIT 1)"
        f" UNION ALL (SELECT 0, {first})) AS k ORDER BY position DESC LIMIT 1) "
        f"SELECT young_person_id FROM ({reads}) AS u ORDER BY part, n LIMIT %s OFFSET (SELECT %s - position FROM c)"
    )
    return sql, len(ranges)


def page_ids_params(order: str, *, start: int, take: int) -> list[int]:
    _, ranges = page_ids_sql(order)
    return [start, *[start, take] * ranges, take, start]


#: The advisory lock the checkpoints' trigger takes (migration compliance 0014's LOCK), held to the commit.
ORDERS_LOCK = (7010016, 0)


def caseload_orders_lock() -> None:
    """Take the checkpoints' lock now, before any row lock (issue 16; PostgreSQL, in the caller's transaction).

    Every statement that moves someone in the caseload's orders takes it in the trigger, after its own row locks
    and those of the statements before it, and holds it to the commit; a transaction holding it that then waits for
    a row held by one waiting for it deadlocks (the night at its commit checking an alert's young person, whom a
    case closure had locked before waiting for the lock). So every transaction that writes the summary takes it
    first: the services that recompute someone, the nightly run, the engine's own transactions, a new day's
    refresh. The trigger's own call is then one it already holds. tests/compliance/test_checkpoint_locks.py."""
    if in_use() and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", ORDERS_LOCK)


@contextmanager
def caseload_writes() -> Iterator[None]:
    """transaction.atomic() that takes caseload_orders_lock first (the nightly run's transaction)."""
    with transaction.atomic():
        caseload_orders_lock()
        yield
