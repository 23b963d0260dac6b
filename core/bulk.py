"""Many rows of one model in one INSERT, without a model instance per row (issue 16: the nightly run's bulk writes).

`bulk_create` builds an instance per row and prepares every field of every instance in Python: for a first night's
thousands of E3 reviews and tens of thousands of notifications that was most of the run's Python. On PostgreSQL
`insert_rows` sends the rows as one JSON array (json.dumps is C) and the database types each column from the model's
own column types: `INSERT ... SELECT ... FROM jsonb_array_elements(...) WITH ORDINALITY`, in the rows' order.
Elsewhere (SQLite) it is `bulk_create`, so both write the same rows (tests/core/test_bulk.py runs both ways on
PostgreSQL and compares). The new ids, when asked for, are mapped to the rows explicitly: each row's id is taken from
the table's sequence beside the row's position, and the rows are inserted with those ids (an INSERT's RETURNING
order is not a promise PostgreSQL makes).

Values per row are plain Python values (text, numbers, dates, None; a JSON field's value as the ORM would store
it, through the field's encoder). Values the same for every row (the time, the actor) are `constants`, bound
as ordinary parameters, and fields given neither get their model default (`auto_now_add`: the same `now`).
"""

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone


class _Encoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.date):
            return o.isoformat()  # microseconds kept (DjangoJSONEncoder keeps milliseconds)
        return super().default(o)


def _defaults(model: type[models.Model], given: set[str], now: dt.datetime) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.attname in given:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            out[field.attname] = now
        else:
            out[field.attname] = field.get_default()
    return out


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]], *,
                constants: Mapping[str, Any] | None = None, returning: bool = False) -> list[int]:
    """Insert one row of `model` per item of `rows` (values for `columns`, attnames), each with `constants`.
    Returns the new primary keys in the rows' order when `returning` (else an empty list)."""
    rows = list(rows)
    if not rows:
        return []
    now = timezone.now()
    constants = {**_defaults(model, {*columns, *(constants or {})}, now), **(constants or {})}
    fields = {f.attname: f for f in model._meta.concrete_fields}
    if not _set_based():
        objs = model.objects.bulk_create(
            [model(**dict(zip(columns, row, strict=True)), **constants) for row in rows], batch_size=1000)
        return [obj.pk for obj in objs] if returning else []
    json_columns = [i for i, c in enumerate(columns) if isinstance(fields[c], models.JSONField)]
    if json_columns:
        encoders = {i: fields[columns[i]].encoder for i in json_columns}
        rows = [[json.dumps(v, cls=encoders[i]) if i in encoders and v is not None else v for i, v in enumerate(row)]
                for row in rows]
    ops = connection.ops
    names, selects, params = [], [], []
    for i, column in enumerate(columns):
        field = fields[column]
        names.append(ops.quote_name(field.column))
        selects.append(f"CAST(r.v->>{i} AS {field.db_type(connection)})")
    for column, value in constants.items():
        field = fields[column]
        names.append(ops.quote_name(field.column))
        selects.append(f"CAST(%s AS {field.db_type(connection)})")
        params.append(field.get_db_prep_save(value, connection))
    table, pk = ops.quote_name(model._meta.db_table), ops.quote_name(model._meta.pk.column)
    values = "jsonb_array_elements(CAST(%s AS jsonb)) WITH ORDINALITY AS r(v, n)"
    with connection.cursor() as cursor:
        if not returning:
            cursor.execute(  # names and types from the model; values bound
                f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(selects)} FROM {values} ORDER BY r.n",  # noqa: S608  # nosec B608
                [*params, json.dumps(rows, cls=_Encoder)])
            return []
        cursor.execute(  # names and types from the model; values bound
            f"WITH r AS MATERIALIZED (SELECT r.n, r.v, nextval(pg_get_serial_sequence(%s, %s)) AS id FROM {values}"  # noqa: S608  # nosec B608
            f" ORDER BY r.n), added AS (INSERT INTO {table} ({pk}, {', '.join(names)})"
            f" SELECT r.id, {', '.join(selects)} FROM r ORDER BY r.n) SELECT r.n, r.id FROM r",
            [table, model._meta.pk.column, json.dumps(rows, cls=_Encoder), *params])
        ids: list[int] = [0] * len(rows)
        for n, pk_value in cursor.fetchall():
            ids[n - 1] = pk_value  # the row's position (from 1) -> its id
        return ids


def _set_based() -> bool:
    """One INSERT ... SELECT from a JSON array (PostgreSQL), or bulk_create (elsewhere)."""
    return connection.vendor == "postgresql"
