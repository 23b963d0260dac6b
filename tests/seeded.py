"""The whole suite's time (issue 16): a demo seeded once per test process, written back for each later test that
wants the same demo.

`seed_demo` goes through every service, so one seed takes 15-60 s, and several modules (tests/demo, the browser's
persona walk) each seeded the same demo again. `seeded(key, seed)` runs `seed()` the first time a process asks for
`key` and keeps what it left: every table's rows, the files it wrote under MEDIA_ROOT and what it returned (the
command's output). The next test asking for `key` gets the same rows written back, one INSERT statement per table in
one transaction (inside the test's own transaction for a `db` test, committed for a transactional one, whose flush
then removes them as before), the files copied to its MEDIA_ROOT, and the same return value. Each test still
starts from an empty database and sees exactly the rows the seed wrote; only the time to write them changes.
"""

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

#: key -> (rows by table, a copy of the media the seed wrote, what `seed()` returned), for this process.
_KEPT: dict[str, tuple[dict, Path | None, object]] = {}
#: Kept by migrations, not by a seed (and never flushed).
#: compliance_caseloadtotals is kept by PostgreSQL's triggers as the young people and their summary rows are written
#: back, so it is neither read nor written here (writing it too would count everyone twice).
_NOT_SEEDED = {"django_migrations", "compliance_caseloadtotals"}
#: PostgreSQL's json and jsonb: psycopg reads them as Python values and needs them wrapped to write them back.
_JSON_TYPES = {114, 3802}


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        return [t for t in connection.introspection.table_names(cursor) if t not in _NOT_SEEDED]


def _read() -> dict[str, tuple[list[str], list[tuple]]]:
    rows = {}
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608  # nosec B608
            columns = [d[0] for d in cursor.description]
            data = cursor.fetchall()
            if connection.vendor == "sqlite":
                # sqlite3 reads a time column as a time (Django's converter) but has no adapter to write one back:
                # write the text Django stored (DatabaseOperations.adapt_timefield_value: str(value)).
                data = [tuple(str(v) if isinstance(v, dt.time) else v for v in row) for row in data]
            if connection.vendor == "postgresql":
                from psycopg.types.json import Jsonb

                json_at = [i for i, d in enumerate(cursor.description) if d.type_code in _JSON_TYPES]
                if json_at:
                    data = [tuple(Jsonb(v) if i in json_at and v is not None else v for i, v in enumerate(row))
                            for row in data]
            rows[table] = (columns, data)
    return rows


def _write(rows: dict[str, tuple[list[str], list[tuple]]]) -> None:
    quote = connection.ops.quote_name
    # Foreign keys are checked at commit (Django makes them deferrable), so the order of the tables does not matter.
    with transaction.atomic(), connection.cursor() as cursor:
        for table in rows:
            cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608  # nosec B608  (the post_migrate rows)
        for table, (columns, data) in rows.items():
            if data:
                names = ", ".join(quote(c) for c in columns)
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", data)  # noqa: S608  # nosec B608
    ContentType.objects.clear_cache()  # the rows written back may number the content types differently


def seeded(key: str, seed: Callable[[], object]):
    """What `seed()` returns, with the database (and MEDIA_ROOT) as `seed()` leaves it: seeded the first time this
    process asks for `key`, written back from then on. Call it on an empty test database."""
    if key in _KEPT:
        rows, media, result = _KEPT[key]
        _write(rows)
        if media is not None:
            shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
        return result
    result = seed()
    media_root = Path(settings.MEDIA_ROOT)
    media = None
    if media_root.is_dir() and any(media_root.iterdir()):
        media = Path(shutil.copytree(media_root, Path(tempfile.mkdtemp(prefix=f"seeded-{key}-")) / "media"))
    _KEPT[key] = (_read(), media, result)
    return result


def full_demo() -> dict:
    """`manage.py seed_demo` as `make run` seeds it (every feature, the full size): {"started": when the seed began,
    "today": the day it was seeded as of, "output": what it printed, "feature calls": each feature module's call
    (FEATURE_SEEDS), in order}.

    Each feature module runs as it is; it is only wrapped to note how it was called: its name, the `today` it was given,
    the number of young people it was handed and the number then in the database, the staff by (role, team) it was
    handed (counts) and what it returned (tests/demo/test_issue15_demo.py checks that each is called once, after the
    base data)."""
    from careleavers.models import YoungPerson
    from demo.management.commands import seed_demo

    def seed() -> dict:
        calls: list[dict] = []

        def noted(feature):
            def call(*, today, staff_by_role_and_team, young_people):
                record = {"name": feature.__module__, "today": today, "young people": len(young_people),
                          "young people in the database": YoungPerson.objects.count(),
                          "staff": {key: len(members) for key, members in staff_by_role_and_team.items()}}
                record["returned"] = feature(today=today, staff_by_role_and_team=staff_by_role_and_team,
                                             young_people=young_people)
                calls.append(record)
                return record["returned"]

            return call

        original = seed_demo.FEATURE_SEEDS
        seed_demo.FEATURE_SEEDS = [noted(feature) for feature in original]
        started = timezone.now()
        output = StringIO()
        try:
            call_command("seed_demo", stdout=output)
        finally:
            seed_demo.FEATURE_SEEDS = original
        return {"started": started, "today": timezone.localdate(started), "output": output.getvalue(),
                "feature calls": calls}

    return seeded("full-demo", seed)


def full_demo_today() -> dt.date:
    """The day the full demo was seeded as of (seed_demo's `today`), for tests that check its timeline: the seed and
    its tests may run either side of midnight, and "today" for them is the seed's day, not the clock's. Call it after
    `full_demo()`; it writes nothing."""
    return _KEPT["full-demo"][2]["today"]


def persona_demo() -> None:
    """`seed_demo` with 24 young people (smaller than `make run`'s, with arrangements of every kind, escalation steps,
    plans): the demo the persona pages are checked on (tests/browser/test_issue15_personas.py,
    tests/casework/test_issue15_no_rule_ids_on_pages.py; xdist_group("persona-demo") keeps them on one worker)."""
    def seed() -> None:
        from demo.management.commands import seed_demo

        original = seed_demo.YOUNG_PEOPLE
        seed_demo.YOUNG_PEOPLE = 24
        try:
            call_command("seed_demo", stdout=StringIO())
        finally:
            seed_demo.YOUNG_PEOPLE = original

    seeded("persona-demo", seed)
