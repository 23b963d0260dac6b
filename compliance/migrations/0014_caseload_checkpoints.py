"""Issue 16: checkpoints of the whole service's caseload orders (compliance.CaseloadCheckpoint), kept by PostgreSQL.

For each of CaseloadSummary's five index orders, the sort keys of every `stride`-th open case and how many open cases
sort strictly before them. A statement-level trigger on CaseloadSummary (transition tables, as migration 0012's
totals) adds each statement's moves (rows inserted, deleted, or whose keys or `closed` mark changed) to the positions
of the checkpoints after them, in the writing transaction, whichever code writes; a statement that moves many rows
(the night, a new day's refresh), or the first write when there are no checkpoints, rebuilds them instead, in one
pass over each index. The writers of the checkpoints take one transaction-level advisory lock, so a rebuild never
meets another transaction's moves halfway (the moves commute with each other; a rebuild changes the keys they are
counted against). A TRUNCATE of the summary empties them. Then the checkpoints are built from what is recorded.
SQLite has no triggers here: its pages read the summary's indexes with an OFFSET."""

from django.db import migrations, models

SUMMARY = "compliance_caseloadsummary"
CHECKPOINTS = "compliance_caseloadcheckpoint"
KEYS = ("urgency", "next_due", "name", "date_of_birth", "ref")  # what a checkpoint keeps of its summary row
#: Above this many moved rows a statement rebuilds the checkpoints (one pass over each index) rather than count
#: each checkpoint's moves (checkpoints x rows comparisons).
REBUILD_ABOVE = 200
STRIDE = 500  # compliance.models.CHECKPOINT_STRIDE when this was written
LOCK = "7010016, 0"  # the advisory lock's two keys (oversight.services's nights use 7010014)

#: Each index order as (its ORDER BY, the keys compared null-free in the same order, the first checkpoint's keys,
#: below every row's). Nullable keys sort last ascending: as 'infinity'. Mirrors compliance.checkpoints.INDEX_ORDERS.
ORDERS = {
    "urgency": ("urgency, next_due, ref",
                [("{t}.urgency", ">"), ("COALESCE({t}.next_due, 'infinity'::date)", ">"), ("{t}.ref", ">")],
                "-1, NULL, '', NULL, ''"),
    "next_due": ("next_due, ref",
                 [("COALESCE({t}.next_due, 'infinity'::date)", ">"), ("{t}.ref", ">")],
                 "NULL, '0001-01-01'::date, '', NULL, ''"),
    "next_due_desc": ("COALESCE(next_due, '0001-01-01'::date) DESC, ref",
                      [("COALESCE({t}.next_due, '0001-01-01'::date)", "<"), ("{t}.ref", ">")],
                      "NULL, '9999-12-31'::date, '', NULL, ''"),
    "name": ("name, ref", [("{t}.name", ">"), ("{t}.ref", ">")], "NULL, NULL, '', NULL, ''"),
    "dob": ("date_of_birth, ref",
            [("COALESCE({t}.date_of_birth, 'infinity'::date)", ">"), ("{t}.ref", ">")],
            "NULL, NULL, '', '0001-01-01'::date, ''"),
}


def _before(order: str, row: str, checkpoint: str) -> str:
    """`row` sorts strictly before `checkpoint` in the order: lexicographically over its keys, each its own way."""
    keys = ORDERS[order][1]
    terms = []
    for n, (key, after) in enumerate(keys):
        before = "<" if after == ">" else ">"
        equal = [f"{k.format(t=row)} = {k.format(t=checkpoint)}" for k, _ in keys[:n]]
        terms.append("(" + " AND ".join([*equal, f"{key.format(t=row)} {before} {key.format(t=checkpoint)}"]) + ")")
    return "(" + " OR ".join(terms) + ")"


def _rebuild() -> str:
    columns = ", ".join(KEYS)
    inserts = []
    for order, (order_by, _, first) in ORDERS.items():
        inserts.append(
            f"INSERT INTO {CHECKPOINTS} (\"order\", position, stride, {columns}) VALUES ('{order}', 0, step, {first})")
        inserts.append(
            f"INSERT INTO {CHECKPOINTS} (\"order\", position, stride, {columns}) SELECT '{order}', n - 1, step, "
            f"{columns} FROM (SELECT {columns}, row_number() OVER (ORDER BY {order_by}) AS n FROM {SUMMARY} "
            f"WHERE closed = false) AS r WHERE (n - 1) % step = 0")
    body = ";\n    ".join(inserts)
    return f"""CREATE FUNCTION compliance_caseload_checkpoints_rebuild(wanted integer DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE step integer;
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK});
    step := COALESCE(wanted, (SELECT max(stride) FROM {CHECKPOINTS}), {STRIDE});
    DELETE FROM {CHECKPOINTS};
    {body};
END $$"""


def _moves(op: str) -> str:
    """The rows that move in the orders: `n` where they are now, `o` where they were (open cases only)."""
    if op == "INSERT":
        return "n AS (SELECT * FROM new_rows WHERE NOT closed), o AS (SELECT * FROM new_rows WHERE false)"
    if op == "DELETE":
        return "n AS (SELECT * FROM old_rows WHERE false), o AS (SELECT * FROM old_rows WHERE NOT closed)"
    return (f"m AS ({_moved_update()}), "
            "n AS (SELECT * FROM new_rows WHERE NOT closed AND young_person_id IN (SELECT young_person_id FROM m)), "
            "o AS (SELECT * FROM old_rows WHERE NOT closed AND young_person_id IN (SELECT young_person_id FROM m))")


def _moved_update() -> str:
    was = ", ".join(f"o.{c}" for c in ("closed", *KEYS))
    now = ", ".join(f"n.{c}" for c in ("closed", *KEYS))
    return (f"SELECT young_person_id FROM old_rows o JOIN new_rows n USING (young_person_id) "
            f"WHERE ({was}) IS DISTINCT FROM ({now})")


def _shift(op: str) -> str:
    """Each checkpoint's position moves by the rows now before it less the rows that were: one join of the
    checkpoints with the few moved rows (each order compared its own way), only the checkpoints that change."""
    before = " OR ".join(f"(c.\"order\" = '{order}' AND {_before(order, 'x', 'c')})" for order in ORDERS)
    return (f"WITH {_moves(op)}, d AS (SELECT c.id, SUM(x.sign) AS delta FROM {CHECKPOINTS} AS c JOIN "
            f"(SELECT *, 1 AS sign FROM n UNION ALL SELECT *, -1 AS sign FROM o) AS x ON {before} "
            f"GROUP BY c.id HAVING SUM(x.sign) <> 0) "
            f"UPDATE {CHECKPOINTS} AS k SET position = k.position + d.delta FROM d WHERE k.id = d.id")


def _trigger_function() -> str:
    return f"""CREATE FUNCTION compliance_caseload_checkpoints() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE moved integer;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT count(*) INTO moved FROM new_rows WHERE NOT closed;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT count(*) INTO moved FROM ({_moved_update()}) AS m;
    ELSE
        SELECT count(*) INTO moved FROM old_rows WHERE NOT closed;
    END IF;
    IF moved = 0 THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock({LOCK});
    IF moved > {REBUILD_ABOVE} OR NOT EXISTS (SELECT 1 FROM {CHECKPOINTS}) THEN
        PERFORM compliance_caseload_checkpoints_rebuild();
    ELSIF TG_OP = 'INSERT' THEN
        {_shift("INSERT")};
    ELSIF TG_OP = 'UPDATE' THEN
        {_shift("UPDATE")};
    ELSE
        {_shift("DELETE")};
    END IF;
    RETURN NULL;
END $$"""


TABLES = {"INSERT": "NEW TABLE AS new_rows", "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
          "DELETE": "OLD TABLE AS old_rows"}
FORWARDS = [
    _rebuild(),
    _trigger_function(),
    *(f"CREATE TRIGGER compliance_caseload_checkpoints_{op.lower()} AFTER {op} ON {SUMMARY} REFERENCING {tables} "
      f"FOR EACH STATEMENT EXECUTE FUNCTION compliance_caseload_checkpoints()" for op, tables in TABLES.items()),
    f"""CREATE FUNCTION compliance_caseload_checkpoints_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {CHECKPOINTS};
    RETURN NULL;
END $$""",
    f"CREATE TRIGGER compliance_caseload_checkpoints_truncate AFTER TRUNCATE ON {SUMMARY} "
    "FOR EACH STATEMENT EXECUTE FUNCTION compliance_caseload_checkpoints_truncated()",
    "SELECT compliance_caseload_checkpoints_rebuild()",
]
BACKWARDS = [
    *(f"DROP TRIGGER IF EXISTS compliance_caseload_checkpoints_{op} ON {SUMMARY}"
      for op in ("insert", "update", "delete", "truncate")),
    "DROP FUNCTION IF EXISTS compliance_caseload_checkpoints()",
    "DROP FUNCTION IF EXISTS compliance_caseload_checkpoints_truncated()",
    "DROP FUNCTION IF EXISTS compliance_caseload_checkpoints_rebuild(integer)",
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
        ("compliance", "0013_merge_20261202_1516"),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseloadCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("order", models.CharField(help_text="compliance.checkpoints.INDEX_ORDERS", max_length=20)),
                ("position", models.IntegerField(help_text="Open cases that sort strictly before these keys.")),
                ("stride", models.PositiveIntegerField(default=500)),
                ("urgency", models.SmallIntegerField(null=True)),
                ("next_due", models.DateField(null=True)),
                ("name", models.CharField(default="", max_length=200)),
                ("date_of_birth", models.DateField(null=True)),
                ("ref", models.CharField(max_length=50)),
            ],
            options={
                "indexes": [models.Index(fields=["order", "position"], name="caseload_checkpoint_position")],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
