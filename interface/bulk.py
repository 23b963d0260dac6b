"""Issue 16, item 4: inserting many new records with their history rows, fast on PostgreSQL.

`bulk_create_with_history` (simple_history.utils) is correct everywhere but spends most of a large import
in Django's per-value SQL compilation (about 20 columns, twice: the record and its history row). On
PostgreSQL this writes the same rows itself: the ids are drawn from the table's sequence first, so each
history row (`history_type` "+", no user or reason, as a save() outside a request writes) carries the
record's id; then COPY of plain values into the table, and the history rows copied from them by one
`INSERT ... SELECT` (so each value crosses once). Other databases (SQLite in tests) take
`bulk_create_with_history`. Same rows either way: the tests compare them.
"""

from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any

from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

#: Rows per batch of bulk_create_with_history (SQLite), as the import's BATCH.
ROWS_PER_INSERT = 1000
#: Field types whose Python value psycopg sends as it is (aware datetimes included: USE_TZ).
_PLAIN = {"CharField", "TextField", "DateField", "BooleanField", "IntegerField", "PositiveIntegerField",
          "PositiveSmallIntegerField", "SmallIntegerField", "BigIntegerField", "ForeignKey", "DateTimeField",
          "TimeField", "EmailField", "SlugField", "OneToOneField"}


def create_with_history(model, objs: list, *, batch_size: int = ROWS_PER_INSERT) -> None:
    """Insert `objs` (unsaved instances of `model`) and one "+" history row each; sets their pks."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        bulk_create_with_history(objs, model, batch_size=batch_size)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    with connection.cursor() as cursor:
        ids = _next_ids(cursor, model, len(objs))
        for obj, pk in zip(objs, ids, strict=True):
            obj.pk = pk
        _insert(cursor, model._meta.db_table, [model._meta.pk.column, *(f.column for f in fields)],
                ([obj.pk, *(_value(f, obj) for f in fields)] for obj in objs))
        _insert_history(cursor, model, ids)


def create_rows_with_history(model, rows: list[dict[str, Any]], *, batch_size: int = ROWS_PER_INSERT) -> None:
    """The rows create_with_history writes for `model(**row)` of each row (every row naming the same fields, by
    attname), written on PostgreSQL without a model instance each (issue 16, item 4: a council's 250 000
    contacts): the other fields take their default, an auto_now(_add) field the time of the call."""
    if not rows:
        return
    names = list(rows[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    callable_default = any(f.attname not in names and f.has_default() and callable(f.default) for f in fields)
    if connection.vendor != "postgresql" or callable_default:
        create_with_history(model, [model(**row) for row in rows], batch_size=batch_size)
        return
    now = timezone.now()
    given = [f for f in fields if f.attname in names]
    fixed, fixed_values = [], []  # the fields no row names: the same value in every row, COPYed after the given ones
    for f in fields:
        if f.attname in names:
            continue
        value = now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
        fixed.append(f)
        fixed_values.append(value if f.get_internal_type() in _PLAIN else f.get_db_prep_save(value, connection))
    for f in given:
        if f.get_internal_type() not in _PLAIN:
            for row in rows:
                row[f.attname] = f.get_db_prep_save(row[f.attname], connection)
    values = itemgetter(*(f.attname for f in given)) if len(given) > 1 else (lambda row: (row[given[0].attname],))
    tail = tuple(fixed_values)
    with connection.cursor() as cursor:
        ids = _next_ids(cursor, model, len(rows))
        _insert(cursor, model._meta.db_table, [model._meta.pk.column, *(f.column for f in given + fixed)],
                ((pk, *values(row), *tail) for pk, row in zip(ids, rows, strict=True)))
        _insert_history(cursor, model, ids)


def _next_ids(cursor, model, count: int) -> list[int]:
    """`count` ids drawn from the table's sequence, so each history row carries its record's id."""
    meta = model._meta
    cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                   [meta.db_table, meta.pk.column, count])
    return [pk for (pk,) in cursor.fetchall()]


def _insert_history(cursor, model, ids: list[int]) -> None:
    """One "+" history row for each record of `ids` (just written), in the order of the ids, as save() outside
    a request writes it (no user or reason): copied by the database from the records' rows, so their values
    make one trip only (issue 16, item 4)."""
    meta, history = model._meta, model.history.model._meta
    quote = connection.ops.quote_name
    tracked = {f.attname: f.column for f in meta.concrete_fields}
    extra = {"history_date": timezone.now(), "history_type": "+", "history_change_reason": None,
             "history_user_id": None}
    columns, picks, params = [], [], []
    for f in history.concrete_fields:
        if f.primary_key:
            continue
        columns.append(quote(f.column))
        if f.attname in tracked:
            picks.append(quote(tracked[f.attname]))
        else:
            picks.append(f"CAST(%s AS {f.cast_db_type(connection)})")
            params.append(extra.get(f.attname))
    pk = quote(meta.pk.column)
    # The names come from the models' meta, quoted; the values are parameters.
    sql = f"INSERT INTO {quote(history.db_table)} ({', '.join(columns)}) SELECT {', '.join(picks)} FROM {quote(meta.db_table)} WHERE {pk} = ANY(%s) ORDER BY {pk}"  # noqa: S608, E501  # nosec B608
    cursor.execute(sql, [*params, ids])


def _value(field, obj):
    value = field.pre_save(obj, add=True)  # auto_now_add, defaults already set on the instance
    if field.get_internal_type() in _PLAIN:
        return value
    return field.get_db_prep_save(value, connection)


def _insert(cursor, table: str, columns: list[str], rows: Iterable[Sequence]) -> None:
    """COPY the rows in (PostgreSQL's bulk load: no per-statement parsing of thousands of placeholders)."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
