"""Several compiled reads of one page sent in one round trip (issue 16).

The young person's page reads a dozen small sets of rows of one person (requirements, contacts, events, plans...),
each a query compiled once per process (core.prepared_models). Sent one by one, each costs a round trip: Django's
and psycopg's work around every execute, and PostgreSQL's around every message. Django's psycopg cursors bind
parameters on the client, which lets one execute carry several statements: `objects_together` sends the reads'
statements, exactly as each would be sent alone, in one execute and takes each statement's rows in turn
(`nextset`), then builds each read's instances as `PreparedModels.objects` does. Every statement keeps its own
SQL, plan, ORDER BY and LIMIT, and its column types (nothing goes through text or JSON).

Where the compiled reads are server-side prepared statements (core.prepared.server_prepared: DATABASE_PREPARED), the
statements go instead in psycopg's pipeline mode (core.prepared.execute_together): still one round trip, and each
statement prepared on the server as every other compiled read is, so PostgreSQL no longer plans them on every request;
Django logs and counts the batch as one query, with the same text, either way.

Elsewhere than PostgreSQL, with a cursor that binds on the server (which takes one statement an execute), or for a
read with a None value (which can change its SQL), each read is run on its own, so the result is the same.
`tests/core/test_batch.py` compares every read's instances with the read alone.
"""

from typing import NamedTuple

from django.db import connections

from .prepared import execute_together, server_prepared
from .prepared_models import PreparedModels, with_known


class Read(NamedTuple):
    """One compiled read: its query, its values and the objects to set on every instance (`known=`)."""

    prepared: PreparedModels
    values: dict
    known: dict | None = None


def read_objects(read: Read, using: str = "default") -> list:
    """One read's instances on its own."""
    return read.prepared.objects(using, known=read.known, **read.values)


def one_round_trip(using: str = "default") -> bool:
    """Whether objects_together sends its reads in one execute here: PostgreSQL, its cursors binding on the client
    (Django's default; `OPTIONS["server_side_binding"]` makes cursors that take one statement an execute)."""
    connection = connections[using]
    return connection.vendor == "postgresql" and connection.settings_dict["OPTIONS"].get("server_side_binding") is not True


def _client_binding(cursor) -> bool:
    import psycopg  # noqa: PLC0415  (only where PostgreSQL is used)

    return isinstance(getattr(cursor, "cursor", None), psycopg.ClientCursor)


def objects_together(reads: list[Read], using: str = "default") -> list[list]:
    """Each read's instances, as `read.prepared.objects(**read.values, known=read.known)` gives them."""
    connection = connections[using]
    together = [i for i, read in enumerate(reads) if None not in read.values.values()]
    fetched: list[list] = []
    if one_round_trip(using) and len(together) > 1:
        statements = [reads[i].prepared.sql(using, **reads[i].values) for i in together]
        if server_prepared(connection):
            # Each statement prepared on the server, all in one round trip (psycopg's pipeline mode).
            bigint = [reads[i].prepared.bigint(using) for i in together]
            fetched = execute_together(connection, [(*statement, ids) for statement, ids in zip(statements, bigint, strict=True)])
        else:
            fetched = _one_execute(connection, statements)
    found: dict[int, list] = {}
    for i, rows in zip(together, fetched, strict=False):  # nothing fetched: each read on its own below
        # Built once every statement's rows are in: a read's prefetches run queries of their own.
        found[i] = with_known(reads[i].prepared.from_rows(rows, using), reads[i].known)
    return [found[i] if i in found else read_objects(read, using) for i, read in enumerate(reads)]


def _one_execute(connection, statements: list[tuple[str, list]]) -> list[list]:
    """Each statement's rows, all of them sent as one execute of a client-binding cursor (nothing elsewhere)."""
    fetched: list[list] = []
    with connection.cursor() as cursor:
        if _client_binding(cursor):
            # Each statement's text is the ORM's, with %s for its parameters (a literal % is %%), so joined
            # they are one text of the parameters in order.
            cursor.execute(";\n".join(sql for sql, _ in statements), [p for _, params in statements for p in params])
            for position in range(len(statements)):
                if position:
                    cursor.nextset()
                fetched.append(cursor.fetchall())
    return fetched
