"""Issue 16: a statement that moves many rows rebuilds the checkpoints of only the orders it moved.

Migration 0014's trigger rebuilt all five orders' checkpoints (one pass over each index, about 90 ms each at 100 000
young people) whenever a statement moved more than REBUILD_ABOVE rows. The ordinary night's caseload refresh is
such a statement, and it moves rows in the urgency and due-date orders only: a new day changes a case's urgency and
most urgent due date, not its name, date of birth, ref or closed mark. Now an UPDATE that moves many rows rebuilds
the orders whose keys (or the closed mark) it changed, and leaves the others' checkpoints where they are: the same
open cases in the same order, so every position is still exact; only the other keys each checkpoint row keeps of its
case (urgency and next_due in the name and age orders' rows) are brought up to date from the statement's new rows,
so those checkpoints are the rows a full rebuild makes (tests/compliance/test_checkpoints.py compares them). An
INSERT or DELETE moves every order, as before; so does the first write when there are no checkpoints. The advisory
lock is taken exactly as before. Backwards: migration 0014's functions."""

import importlib

from django.db import migrations

initial = importlib.import_module("compliance.migrations.0014_caseload_checkpoints")

SUMMARY, CHECKPOINTS, KEYS, LOCK = initial.SUMMARY, initial.CHECKPOINTS, initial.KEYS, initial.LOCK
REBUILD_ABOVE, STRIDE, ORDERS = initial.REBUILD_ABOVE, initial.STRIDE, initial.ORDERS

#: The summary's columns each order sorts by (compliance.checkpoints.INDEX_ORDERS): a row moves in an order when one
#: of them, or its closed mark, changes.
ORDER_COLUMNS = {
    "urgency": ("urgency", "next_due", "ref"),
    "next_due": ("next_due", "ref"),
    "next_due_desc": ("next_due", "ref"),
    "name": ("name", "ref"),
    "dob": ("date_of_birth", "ref"),
}
assert set(ORDER_COLUMNS) == set(ORDERS)  # nosec B101  (a new order needs its columns here)


def _rebuild() -> str:
    """compliance_caseload_checkpoints_rebuild(wanted, orders): 0014's rebuild, of the named orders only (NULL: all)."""
    columns = ", ".join(KEYS)
    blocks = []
    for order, (order_by, _, first) in ORDERS.items():
        blocks.append(
            f"""IF orders IS NULL OR '{order}' = ANY(orders) THEN
        INSERT INTO {CHECKPOINTS} ("order", position, stride, {columns}) VALUES ('{order}', 0, step, {first});
        INSERT INTO {CHECKPOINTS} ("order", position, stride, {columns}) SELECT '{order}', n - 1, step, {columns}
            FROM (SELECT {columns}, row_number() OVER (ORDER BY {order_by}) AS n FROM {SUMMARY}
                  WHERE closed = false) AS r WHERE (n - 1) % step = 0;
    END IF""")
    body = ";\n    ".join(blocks)
    return f"""CREATE FUNCTION compliance_caseload_checkpoints_rebuild(wanted integer DEFAULT NULL,
                                                       orders text[] DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE step integer;
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK});
    step := COALESCE(wanted, (SELECT max(stride) FROM {CHECKPOINTS}), {STRIDE});
    DELETE FROM {CHECKPOINTS} WHERE orders IS NULL OR "order" = ANY(orders);
    {body};
END $$"""


def _moved_orders() -> str:
    """The orders in which the UPDATE's rows moved (their closed mark or one of the order's keys changed)."""
    cases = ", ".join(
        f"CASE WHEN bool_or((o.closed, {', '.join(f'o.{c}' for c in columns)}) IS DISTINCT FROM "
        f"(n.closed, {', '.join(f'n.{c}' for c in columns)})) THEN '{order}' END"
        for order, columns in ORDER_COLUMNS.items())
    return f"SELECT array_remove(ARRAY[{cases}], NULL) FROM old_rows o JOIN new_rows n USING (young_person_id)"


def _unmoved_keys() -> str:
    """In the orders the UPDATE did not move, each checkpoint is still the same open case at the same position: the
    other keys it keeps of that case (those of the orders that moved) as the case's row now is (the first checkpoint,
    below every key, has a ref no case has)."""
    now = ", ".join(f"n.{c}" for c in KEYS)
    return (f"UPDATE {CHECKPOINTS} AS c SET {', '.join(f'{c} = n.{c}' for c in KEYS)} FROM new_rows n "
            f"WHERE NOT (c.\"order\" = ANY(orders)) AND n.ref = c.ref AND NOT n.closed "
            f"AND ({', '.join(f'c.{c}' for c in KEYS)}) IS DISTINCT FROM ({now})")


def _trigger_function() -> str:
    return f"""CREATE OR REPLACE FUNCTION compliance_caseload_checkpoints() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE moved integer; orders text[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT count(*) INTO moved FROM new_rows WHERE NOT closed;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT count(*) INTO moved FROM ({initial._moved_update()}) AS m;
    ELSE
        SELECT count(*) INTO moved FROM old_rows WHERE NOT closed;
    END IF;
    IF moved = 0 THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock({LOCK});
    IF NOT EXISTS (SELECT 1 FROM {CHECKPOINTS}) THEN
        PERFORM compliance_caseload_checkpoints_rebuild();
    ELSIF moved > {REBUILD_ABOVE} AND TG_OP = 'UPDATE' THEN
        orders := ({_moved_orders()});
        PERFORM compliance_caseload_checkpoints_rebuild(NULL, orders);
        {_unmoved_keys()};
    ELSIF moved > {REBUILD_ABOVE} THEN
        PERFORM compliance_caseload_checkpoints_rebuild();
    ELSIF TG_OP = 'INSERT' THEN
        {initial._shift("INSERT")};
    ELSIF TG_OP = 'UPDATE' THEN
        {initial._shift("UPDATE")};
    ELSE
        {initial._shift("DELETE")};
    END IF;
    RETURN NULL;
END $$"""


FORWARDS = [
    "DROP FUNCTION compliance_caseload_checkpoints_rebuild(integer)",
    _rebuild(),
    _trigger_function(),
]
BACKWARDS = [
    "DROP FUNCTION compliance_caseload_checkpoints_rebuild(integer, text[])",
    initial._rebuild(),
    initial._trigger_function().replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in FORWARDS:
        schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in BACKWARDS:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0015_merge_0014_caseload_checkpoints_0014_result_horizon"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
