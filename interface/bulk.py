"""Issue 16, item 4: inserting many new records with their history rows, fast on PostgreSQL.

`bulk_create_with_history` (simple_history.utils) is correct everywhere but spends most of a large import
in Django's per-value SQL compilation (about 20 columns, twice: the record and its history row). On
PostgreSQL this writes the same rows itself: the ids are drawn from the table's sequence first, so each
history row (`history_type` "+", no user or reason, as a save() outside a request writes) carries the
record's id; then COPY of plain values. Other databases (SQLite in tests) take
`bulk_create_with_history`. Same rows either way: the tests compare them.
"""

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
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [meta.db_table, meta.pk.column, len(objs)])
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
        rows = [[obj.pk, *(_value(f, obj) for f in fields)] for obj in objs]
        _insert(cursor, meta.db_table, [meta.pk.column, *(f.column for f in fields)], rows, batch_size)
        history = model.history.model._meta
        tracked = {f.attname for f in meta.concrete_fields}
        columns, picks = [], []
        for f in history.concrete_fields:
            if f.primary_key:
                continue
            columns.append(f.column)
            picks.append(f.attname if f.attname in tracked else None)
        now = timezone.now()
        extra = {"history_date": now, "history_type": "+", "history_change_reason": None, "history_user_id": None}
        fixed = [extra.get(f.attname) for f in history.concrete_fields if not f.primary_key]
        record_columns = [meta.pk.attname, *(f.attname for f in fields)]
        position = {name: i for i, name in enumerate(record_columns)}
        history_rows = [[value[position[pick]] if pick else fixed[i] for i, pick in enumerate(picks)]
                        for value in rows]
        _insert(cursor, history.db_table, columns, history_rows, batch_size)


def _value(field, obj):
    value = field.pre_save(obj, add=True)  # auto_now_add, defaults already set on the instance
    if field.get_internal_type() in _PLAIN:
        return value
    return field.get_db_prep_save(value, connection)


def _insert(cursor, table: str, columns: list[str], rows: list[list], batch_size: int) -> None:
    """COPY the rows in (PostgreSQL's bulk load: no per-statement parsing of thousands of placeholders)."""
    del batch_size  # COPY streams every row in one statement
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
