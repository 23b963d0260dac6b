# ruff: noqa: S608  (as in the engine: the only values inlined are typed dates and integers, never user text)
"""The dashboards' counts by team (issue 16): the requirement rows overdue and due soon per Personal Adviser and
requirement, kept in the same transaction as the requirement rows themselves.

The service dashboard and its teams CSV showed every team's overdue and due-soon rows by requirement from one
aggregate of the 27 000 rows in their due-soon window joined to all 100 000 young people for their PA (60-85 ms
of database per request at national scale). Here those figures are stored:

- `TeamSummaryItem`: each requirement row whose due-soon window has opened on the summary's day, with the PA
  it is counted under and its status then (V4 overdue, V2/P2 due soon);
- `TeamSummary`: those items summed per PA and requirement;
- `TeamSummaryDate`: the day both are true for.

Every write of the requirement rows (`engine.recompute`, for some young people or everyone) calls `refresh`:
for some young people it takes their items back out of the sums and adds their rows as they now are (under
their PA now, so a reallocation to another team moves the counts; a closed case's rows are gone, so are its
counts); for everyone it rebuilds both tables, rewriting only what changed. The sums are read by the PA's team
as it is when read (`counts_by_team`), so a PA who moves team takes their counts along without a rewrite, and
when the calendar has moved past the summary's day (the night has not run yet) the reader rebuilds it first.

Concurrency (PostgreSQL, READ COMMITTED): the sums are only ever added to (`overdue = overdue + change`), so two
writes at once for two young people of one PA both count; writes for one young person are taken in turn (a row
lock on the young person, taken before their items are read); a rebuild locks the sums against writes
(EXCLUSIVE: reads go on) and every write first takes the lock a rebuild waits for, so neither sees half of the
other.
"""

import datetime as dt
from collections.abc import Iterable

from django.db import connection, connections, router, transaction
from django.utils import timezone

from careleavers.models import Staff, YoungPerson
from core.prepared import execute

from .models import Requirement, TeamSummary, TeamSummaryDate, TeamSummaryItem
from .status import status_moved_sql

SUMS = TeamSummary._meta.db_table
ITEMS = TeamSummaryItem._meta.db_table
DAY = TeamSummaryDate._meta.db_table


def _date(day: dt.date, vendor: str) -> str:
    iso = dt.date.fromordinal(day.toordinal()).isoformat()  # a real date, so safe to inline
    return f"DATE '{iso}'" if vendor == "postgresql" else f"'{iso}'"


#: The nightly path's temporary table of the young people whose counts may have moved (refresh, `_scope_sql`).
SCOPE_TABLE = "team_summary_scope"


def _ids(column: str, ids: list[int] | None) -> str:
    """`ids`: those young people; None: everyone; the scope table's people when `ids` is SCOPE_TABLE."""
    if ids is None:
        return ""
    if ids is SCOPED:
        return f"AND {column} IN (SELECT young_person_id FROM {SCOPE_TABLE})"  # nosec B608  (a constant name)
    return f"AND {column} IN ({', '.join(str(int(i)) for i in ids)})"


#: `_ids`'s marker for the young people of SCOPE_TABLE.
SCOPED: list[int] = []


def _fresh_sql(day: dt.date, ids: list[int] | None, vendor: str) -> str:
    """Each requirement row whose window has opened on `day` (V2, V4: an overdue row's window opened before its
    due date), with its young person's PA now and 1 in the column of its status."""
    d = _date(day, vendor)
    return f"""SELECT r.young_person_id, r.code, y.pa_id,
                      CASE WHEN r.due < {d} THEN 1 ELSE 0 END AS overdue,
                      CASE WHEN r.due < {d} THEN 0 ELSE 1 END AS due_soon
               FROM {Requirement._meta.db_table} r
               JOIN {YoungPerson._meta.db_table} y ON y.id = r.young_person_id
               WHERE r.due_soon_from <= {d} {_ids("r.young_person_id", ids)}"""  # nosec B608


def summary_day(using: str = "default") -> dt.date | None:
    return TeamSummaryDate.objects.using(using).filter(pk=1).values_list("as_of", flat=True).first()


def refresh(*, as_of: dt.date | None = None, young_person_ids: Iterable[int] | None = None,
            changed_table: str | None = None, full: bool = False, recomputed_table: str | None = None) -> None:
    """Bring the counts up to date after the requirement rows of these young people (None: everyone) were
    written, in the caller's transaction. Everyone: as of `as_of` (default today), which becomes the summary's
    day; only the people whose counts may have moved since the summary's day are rewritten (`_scope_sql`;
    `changed_table`: the people whose requirement rows the caller's recompute changed, engine.CHANGED_TABLE;
    `recomputed_table`: on an ordinary night, the people it recomputed, engine.NIGHT_TABLE),
    unless `full` or before the first rebuild. Some: as of the summary's day, so that every count is true for the
    same day (nothing to do before the first rebuild: the first reader makes it)."""
    ids = None if young_person_ids is None else sorted({int(i) for i in young_person_ids})
    if ids == []:
        return
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if ids is not None:
            _add_changes(cursor, ids)
            return
        day = as_of or timezone.localdate()
        previous = None if full else summary_day()
        if previous is None:
            _rebuild(cursor, day)
        else:
            _refresh_scope(cursor, day=day, previous=previous, changed_table=changed_table,
                           recomputed_table=recomputed_table)


def _rebuild(cursor, day: dt.date) -> None:
    vendor = connection.vendor
    if vendor == "postgresql":
        cursor.execute(f"LOCK TABLE {SUMS} IN EXCLUSIVE MODE")
    cursor.execute("DROP TABLE IF EXISTS team_summary_fresh")
    cursor.execute(f"CREATE TEMPORARY TABLE team_summary_fresh AS {_fresh_sql(day, None, vendor)}")
    # Only what changed is written: most rows are as they were last night.
    cursor.execute(
        f"""DELETE FROM {ITEMS} WHERE NOT EXISTS (
                SELECT 1 FROM team_summary_fresh f
                WHERE f.young_person_id = {ITEMS}.young_person_id AND f.code = {ITEMS}.code
                  AND COALESCE(f.pa_id, 0) = COALESCE({ITEMS}.pa_id, 0) AND f.overdue = {ITEMS}.overdue)""")  # nosec B608
    cursor.execute(
        f"""INSERT INTO {ITEMS} (young_person_id, code, pa_id, overdue, due_soon)
            SELECT young_person_id, code, pa_id, overdue, due_soon FROM team_summary_fresh f
            WHERE NOT EXISTS (SELECT 1 FROM {ITEMS} i
                              WHERE i.young_person_id = f.young_person_id AND i.code = f.code)""")  # nosec B608
    cursor.execute("DROP TABLE team_summary_fresh")
    cursor.execute("DROP TABLE IF EXISTS team_summary_sums")
    cursor.execute(
        f"""CREATE TEMPORARY TABLE team_summary_sums AS
            SELECT pa_id, code, SUM(overdue) AS overdue, SUM(due_soon) AS due_soon FROM {ITEMS} GROUP BY pa_id, code""")  # nosec B608
    cursor.execute(
        f"""DELETE FROM {SUMS} WHERE NOT EXISTS (
                SELECT 1 FROM team_summary_sums s
                WHERE COALESCE(s.pa_id, 0) = COALESCE({SUMS}.pa_id, 0) AND s.code = {SUMS}.code
                  AND s.overdue = {SUMS}.overdue AND s.due_soon = {SUMS}.due_soon)""")  # nosec B608
    cursor.execute(
        f"""INSERT INTO {SUMS} (pa_id, code, overdue, due_soon)
            SELECT pa_id, code, overdue, due_soon FROM team_summary_sums s
            WHERE NOT EXISTS (SELECT 1 FROM {SUMS} t
                              WHERE COALESCE(t.pa_id, 0) = COALESCE(s.pa_id, 0) AND t.code = s.code)""")  # nosec B608
    cursor.execute("DROP TABLE team_summary_sums")
    cursor.execute(f"INSERT INTO {DAY} (id, as_of) VALUES (1, {_date(day, vendor)})"
                   " ON CONFLICT (id) DO UPDATE SET as_of = excluded.as_of")  # nosec B608


def _scope_sql(*, day: dt.date, previous: dt.date, changed_table: str | None, vendor: str,
               recomputed_table: str | None = None) -> str:
    """Issue 16: the young people whose items may differ from those stored, which were true on `previous` (every
    write keeps its young people's items): those whose requirement rows the recompute changed (`changed_table`),
    those with a row whose window opens or whose status moves between the two days (status_moved_sql: V4, V2),
    and those counted under another PA than theirs now (a safety net: a reallocation
    recomputes the young person in its transaction). On an ordinary night (`recomputed_table`, the people it
    recomputed: engine.NIGHT_TABLE) that pass over every item is left to the weekly full night, as the engine's
    own safety net is (a PA changes only through a write, never by date)."""
    selects = [f"""SELECT i.young_person_id FROM {ITEMS} i JOIN {YoungPerson._meta.db_table} y ON y.id = i.young_person_id
                   WHERE COALESCE(i.pa_id, 0) <> COALESCE(y.pa_id, 0)"""  # nosec B608
               if recomputed_table is None else f"SELECT young_person_id FROM {recomputed_table}"]  # nosec B608
    if changed_table:
        selects.append(f"SELECT young_person_id FROM {changed_table}")  # nosec B608
    if day != previous:
        selects += status_moved_sql(Requirement._meta.db_table, low=_date(min(day, previous), vendor),
                                   high=_date(max(day, previous), vendor))
    return " UNION ".join(selects)


def _refresh_scope(cursor, *, day: dt.date, previous: dt.date, changed_table: str | None,
                   recomputed_table: str | None) -> None:
    """The night (issue 16): as a rebuild (the sums locked against writes meanwhile, the day moved on), but only
    for the young people of `_scope_sql`, as a write for them does: their items out of the sums, their rows now
    in. An ordinary night reaches a few thousand young people instead of regrouping the 27 000 items."""
    vendor = connection.vendor
    if vendor == "postgresql":
        cursor.execute(f"LOCK TABLE {SUMS} IN EXCLUSIVE MODE")
    cursor.execute(f"DROP TABLE IF EXISTS {SCOPE_TABLE}")
    reached = _scope_sql(day=day, previous=previous, changed_table=changed_table, vendor=vendor,
                         recomputed_table=recomputed_table)
    cursor.execute(f"CREATE TEMPORARY TABLE {SCOPE_TABLE} AS {reached}")
    if vendor == "postgresql":
        cursor.execute(f"ANALYZE {SCOPE_TABLE}")
    _apply_changes(cursor, day, SCOPED)
    cursor.execute(f"DROP TABLE {SCOPE_TABLE}")
    cursor.execute(f"INSERT INTO {DAY} (id, as_of) VALUES (1, {_date(day, vendor)})"
                   " ON CONFLICT (id) DO UPDATE SET as_of = excluded.as_of")  # nosec B608


def _add_changes(cursor, ids: list[int]) -> None:
    vendor = connection.vendor
    if vendor == "postgresql":
        # Waits for a rebuild in progress (and makes the next one wait for this transaction).
        cursor.execute(f"LOCK TABLE {SUMS} IN ROW EXCLUSIVE MODE")
    cursor.execute(f"SELECT as_of FROM {DAY} WHERE id = 1")  # nosec B608
    found = cursor.fetchone()
    if found is None:
        return
    day = found[0] if isinstance(found[0], dt.date) else dt.date.fromisoformat(found[0])
    if vendor == "postgresql":
        # One young person's writes in turn: the second reads the items the first left (NO KEY UPDATE: inserting
        # a contact or a note for them takes KEY SHARE, which this does not wait for).
        cursor.execute(f"SELECT id FROM {YoungPerson._meta.db_table} WHERE TRUE {_ids('id', ids)}"
                       " ORDER BY id FOR NO KEY UPDATE")  # nosec B608
    _apply_changes(cursor, day, ids)


def _apply_changes(cursor, day: dt.date, ids: list[int]) -> None:
    """These young people's items and their share of the sums as their requirement rows are on `day`."""
    vendor = connection.vendor
    # Their rows now, less their rows as counted before, added to the sums (in key order, so two writes at once
    # never wait for each other's rows the other way round).
    cursor.execute(
        f"""INSERT INTO {SUMS} (pa_id, code, overdue, due_soon)
            SELECT pa_id, code, overdue, due_soon FROM (
                SELECT pa_id, code, SUM(overdue) AS overdue, SUM(due_soon) AS due_soon FROM (
                    {_fresh_sql(day, ids, vendor)}
                    UNION ALL
                    SELECT young_person_id, code, pa_id, -overdue, -due_soon FROM {ITEMS}
                    WHERE TRUE {_ids("young_person_id", ids)}
                ) rows GROUP BY pa_id, code
            ) changes
            WHERE overdue <> 0 OR due_soon <> 0
            ORDER BY COALESCE(pa_id, 0), code
            ON CONFLICT (COALESCE(pa_id, 0), code) DO UPDATE SET
                overdue = {SUMS}.overdue + excluded.overdue, due_soon = {SUMS}.due_soon + excluded.due_soon""")  # nosec B608
    # Their items as they are now, writing only what changed (an unchanged import rewrites nothing).
    cursor.execute(
        f"""DELETE FROM {ITEMS} WHERE TRUE {_ids("young_person_id", ids)} AND NOT EXISTS (
                SELECT 1 FROM ({_fresh_sql(day, ids, vendor)}) f
                WHERE f.young_person_id = {ITEMS}.young_person_id AND f.code = {ITEMS}.code
                  AND COALESCE(f.pa_id, 0) = COALESCE({ITEMS}.pa_id, 0) AND f.overdue = {ITEMS}.overdue)""")  # nosec B608
    cursor.execute(
        f"""INSERT INTO {ITEMS} (young_person_id, code, pa_id, overdue, due_soon)
            SELECT young_person_id, code, pa_id, overdue, due_soon FROM ({_fresh_sql(day, ids, vendor)}) f
            WHERE NOT EXISTS (SELECT 1 FROM {ITEMS} i
                              WHERE i.young_person_id = f.young_person_id AND i.code = f.code)""")  # nosec B608


def counts_by_team(*, today: dt.date, team_id: int | None = None) -> list[tuple[int | None, str, int, int]]:
    """(team id or None, requirement, overdue, due soon) on `today`, summed over the PAs of each team as they are
    now (None: young people with no PA, or a PA with no team), for one team or all. One query, from the replica
    when the dashboards read one; when the summary is not for today, it is rebuilt first (on the primary) and read
    from there."""
    using = router.db_for_read(TeamSummary)
    rows = _read(using, team_id)
    if not rows or rows[0][0] != today:
        with transaction.atomic():
            refresh(as_of=today)
        rows = _read("default", team_id)
    return [(team, code, overdue, due_soon) for _, team, code, overdue, due_soon in rows if code is not None]


def _read(using: str, team_id: int | None) -> list[tuple]:
    """The summary's day on every row (so one query tells whether it is current), then the sums by team: a row of
    NULLs beside the day when there is nothing to count."""
    staff = Staff._meta.db_table
    # Issue 16: one SQL text for the whole service and one for any one team (its id a parameter), each kept as a
    # prepared statement on the connection (core.prepared.execute), so a kept connection does not plan it again.
    one_team, params = ("", []) if team_id is None else ("AND s.team_id = %s", [int(team_id)])
    rows = execute(
        connections[using],
        f"""SELECT d.as_of, c.team_id, c.code, c.overdue, c.due_soon
                FROM {DAY} d
                LEFT JOIN (SELECT s.team_id, t.code, SUM(t.overdue) AS overdue, SUM(t.due_soon) AS due_soon
                           FROM {SUMS} t LEFT JOIN {staff} s ON s.id = t.pa_id
                           WHERE TRUE {one_team}
                           GROUP BY s.team_id, t.code
                           HAVING SUM(t.overdue) <> 0 OR SUM(t.due_soon) <> 0) c ON TRUE
                WHERE d.id = 1""",  # nosec B608
        params, bigint=range(len(params)))
    if rows and isinstance(rows[0][0], dt.date):
        return rows  # PostgreSQL gives dates (issue 16: a service's thousands of rows are not copied for nothing)
    return [(r[0] if isinstance(r[0], dt.date) else dt.date.fromisoformat(r[0]), *r[1:]) for r in rows]
