"""The compliance engine: which requirements apply to whom, and when each is due (CONTRACT.md).

One SQL computation serves three callers: the nightly full recompute, the incremental recompute
inside the transaction of every write, and `compliance_report --as-of` for any past date. It is
set-based (the pack's rule rows joined to the young people, each requirement row reading its
latest meeting contact with one index probe) and never loops over young people in Python.
Everything it knows about intervals and windows it reads from the active policy pack's rows;
what meets each requirement is pack data too; the only literals are the E3 vocabulary of outcomes.

Rules, by ID: V1/T1/T3/T5/R6/S5/D3 intervals (pack rows), V3 (never met: later of allocation
and arrangement start), V4 (overdue after due), V2/P2 (due soon windows, pack rows), T2 (on
licence: home visits only), T6/T7/P1 (events pull a due date forward), E3 (unanswered contacts
make a visit due at once), D4 and the statutory ages (service birthdays stored on the young
person), C2 (only completed contacts meet a requirement; attempts only escalate).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from careleavers.models import YoungPerson

from . import team_summary
from .checkpoints import caseload_orders_lock
from .models import CaseloadSummary, FullRecompute, PolicyPack, Requirement, ResultHorizon, SummaryDate, Urgency
from .status import days_overdue, status_for, status_moved_sql

RESULT_COLUMNS = ("young_person_id", "ref", "code", "last_met", "due", "due_soon_from", "interval_days", "basis")


@dataclass(frozen=True)
class RequirementRow:
    young_person_id: int
    ref: str
    code: str
    last_met: dt.date | None
    due: dt.date
    due_soon_from: dt.date
    interval_days: int | None
    basis: str

    def status_on(self, day: dt.date) -> str:
        return status_for(self.due, self.due_soon_from, day)  # V2, V4

    def days_overdue_on(self, day: dt.date) -> int:
        return days_overdue(self.due, day)  # V4


class _Dialect:
    """The few spots where PostgreSQL and SQLite spell date arithmetic differently."""

    def __init__(self, vendor: str) -> None:
        self.pg = vendor == "postgresql"

    @property
    def materialized(self) -> str:
        # Few young people have events: PostgreSQL gathers them once and hashes them, instead of
        # probing the events index for every requirement row (issue 6).
        return "MATERIALIZED" if self.pg else ""

    def date(self, day: dt.date) -> str:
        iso = dt.date.fromordinal(day.toordinal()).isoformat()  # a real date, so safe to inline
        return f"DATE '{iso}'" if self.pg else f"'{iso}'"

    def add_days(self, day: str, days: str) -> str:
        return f"({day} + {days})" if self.pg else f"date({day}, '+' || ({days}) || ' days')"

    def sub_days(self, day: str, days: str) -> str:
        return f"({day} - {days})" if self.pg else f"date({day}, '-' || ({days}) || ' days')"

    def greatest(self, left: str, right: str) -> str:
        """The later of two dates, either of which may be NULL (then the other)."""
        if self.pg:
            return f"GREATEST({left}, {right})"
        return (f"(CASE WHEN ({left}) IS NULL THEN ({right}) WHEN ({right}) IS NULL THEN ({left})"
                f" WHEN ({left}) > ({right}) THEN ({left}) ELSE ({right}) END)")

    @property
    def true(self) -> str:
        return "TRUE" if self.pg else "1"

    @property
    def false(self) -> str:
        return "FALSE" if self.pg else "0"

    def earliest(self, dates: list[str]) -> str:
        """The earliest of these dates, any of which may be NULL (NULL when all are)."""
        if self.pg:
            return f"LEAST({', '.join(dates)})"  # LEAST skips NULLs
        never = "'9999-12-31'"  # SQLite's min() of several values is NULL when one is
        return f"NULLIF(min({', '.join(f'COALESCE({x}, {never})' for x in dates)}), {never})"

    def same(self, left: str, right: str) -> str:
        return f"{left} IS NOT DISTINCT FROM {right}" if self.pg else f"{left} IS {right}"


#: The ordinary night's temporary table of the young people it recomputes (recompute_night). Passed where ids are
#: taken, it stands for them.
NIGHT_TABLE = "compliance_night"


def _id_filter(column: str, ids: list[int] | str | None) -> str:
    if ids is None:
        return ""
    if isinstance(ids, str):  # NIGHT_TABLE, a constant name
        return f"AND {column} IN (SELECT young_person_id FROM {ids})"
    return f"AND {column} IN ({', '.join(str(int(i)) for i in ids) or 'NULL'})"


def requirements_sql(as_of: dt.date, young_person_ids: list[int] | str | None = None) -> str:
    """The computation as one SELECT returning RESULT_COLUMNS. Values inlined are typed dates
    and integers, never user text. Every date it compares with the day is in HORIZON_COLUMNS or HORIZON_RECORDS (issue 16: a new
    comparison with the day needs its date there, or the ordinary night would miss the day it moves)."""
    q = _Dialect(connection.vendor)
    d = q.date(as_of)

    def listed(column: str, value: str) -> str:
        # The pack row's comma-separated list (empty: anything) holds the contact's value.
        return f"(r.{column} = '' OR (',' || r.{column} || ',') LIKE ('%,' || {value} || ',%'))"

    # What meets a requirement is pack data (issue 10, item 3): one generic rule reads the row's lists.
    # C2: attempts meet nothing unless the row names their outcome; S5: a keeping-in-touch offer counts
    # whatever its outcome where the row says so; T2: a home-only row lists only home_visit.
    meets = (f"(({listed('methods', 'c.method')} AND {listed('with_whom', 'c.with_whom')}"
             f" AND {listed('outcomes', 'c.outcome')}) OR (r.keeping_in_touch_offer AND c.purpose = 'kit_offer'))")

    def latest(meets: str) -> str:
        # Per requirement row, the newest contact that meets it: one backward probe of the
        # (young person, date) index that stops at the first match, so the nightly cost does
        # not grow with the length of everyone's history (issue 6).
        return (f"(SELECT MAX(c.date) FROM contacts_contact c WHERE c.young_person_id = yp.id"
                f" AND c.date <= {d} AND c.voided_at IS NULL AND {meets})")

    # V3: the pattern starts at the later of allocation and the arrangement's active_from (for the
    # standard pattern, the day it resumed). Every requirement but pathway_review counts from
    # active_from at the earliest, even when it was last met before (CONTRACT v2, change 1).
    base = f"{q.greatest('req.allocated_on', 'req.active_from')}"
    # Issue 11, item 8: a case reopened for a young person who came back starts its pattern again that day
    # (req.active_from is floored at the reopening); the pathway plan review counts from it at the earliest too.
    counted_from = (f"CASE WHEN req.last_met IS NULL THEN {base}"
                    f" WHEN req.code = 'pathway_review' THEN {q.greatest('req.last_met', 'req.reopened_on')}"
                    f" ELSE {q.greatest('req.last_met', 'req.active_from')} END")
    # E3 (CONTRACT v2, change 2): only no_response and cancelled_by_yp leave the young person unanswered;
    # completed and declined answer; cancelled_by_pa is neither. Within a day, unanswered contacts come first.
    # The legal status in force on the date: the newest change on or before it, else the current one.
    status_on = (f"COALESCE((SELECT l.status FROM careleavers_legalstatuschange l WHERE l.young_person_id = y.id"
                 f" AND l.from_date <= {d} ORDER BY l.from_date DESC LIMIT 1), y.legal_status)")
    # Issue 11, item 8: the latest reopening of the case, once it has happened.
    reopened = f"CASE WHEN y.reopened_on <= {d} THEN y.reopened_on END"
    # V3: a standard pattern resumes the day the last arrangement ended (or from the date a bundle gave); every
    # pattern starts again at a reopening.
    resumed = q.greatest(f"(SELECT MAX(e.ended_on) FROM approvals_arrangement e WHERE e.young_person_id = y.id"
                         f" AND e.state = 'ended' AND e.ended_on <= {d})",
                         f"CASE WHEN y.standard_pattern_from <= {d} THEN y.standard_pattern_from END")
    active_from = q.greatest(f"CASE WHEN a.kind IS NOT NULL THEN a.active_from ELSE {resumed} END", reopened)
    unanswered = "('no_response', 'cancelled_by_yp')"
    answers = "('completed', 'declined')"
    return f"""
WITH pack AS (
    SELECT id, escalation_attempts, different_needs_to_21_and_1_month AS dn_extends, allocation_days
    FROM compliance_policypack WHERE is_active
),
yp AS (
    SELECT y.id, y.ref, y.allocated_on,
           -- The legal status in force on the date: the newest change on or before it, else the current one.
           {status_on} AS legal_status,
           -- T5 (CONTRACT v2, change 3): the higher-education pattern starts at 21; a younger student is standard.
           CASE WHEN y.circumstance = 'higher_education' AND {d} < y.birthday_21 THEN 'standard'
                ELSE y.circumstance END AS circumstance,
           COALESCE(a.kind, 'standard') AS arr_kind,
           {reopened} AS reopened_on,
           {active_from} AS active_from
    FROM careleavers_youngperson y
    CROSS JOIN pack
    LEFT JOIN approvals_arrangement a
           ON a.young_person_id = y.id AND a.state IN ('active', 'ended')
          AND a.active_from <= {d} AND (a.ended_on IS NULL OR a.ended_on > {d})
    WHERE y.birthday_16 <= {d} AND y.allocated_on <= {d}
      AND (y.closed_on IS NULL OR y.closed_on > {d})
      -- T9 (CONTRACT v2, change 4): a qualifying young person without a PA service is not in service here.
      AND NOT ({status_on} = 'qualifying' AND NOT y.pa_service)
      AND ({d} < y.birthday_21
           OR (y.extended_support AND {d} < y.birthday_25)
           -- D4 (CONTRACT v2, change 5): the extension is for the full service only.
           OR (pack.dn_extends AND a.kind = 'different_needs' AND {status_on} <> 'qualifying'
               AND {d} < y.birthday_21_1m))
      {_id_filter("y.id", young_person_ids)}
),
req AS (
    SELECT yp.id AS yp_id, yp.ref, yp.allocated_on, yp.active_from, yp.reopened_on,
           r.requirement AS code, r.trigger, r.due_soon_days,
           COALESCE(o.interval_days, r.interval_days) AS interval_days,
           CASE r.met_by
               WHEN 'contact' THEN {latest(meets)}
               WHEN 'plan' THEN (SELECT MAX(p.review_date) FROM pathway_pathwayplan p
                   WHERE p.young_person_id = yp.id AND p.state = 'signed_off' AND p.review_date <= {d})
           END AS last_met
    FROM yp
    JOIN compliance_packrequirement r
      ON r.pack_id = (SELECT id FROM pack) AND r.arrangement_kind = yp.arr_kind AND r.circumstance = yp.circumstance
     -- Statute (CONTRACT v2, change 4): no pathway plan duty for a qualifying (section 24) young person.
     AND NOT (r.requirement = 'pathway_review' AND yp.legal_status = 'qualifying')
    LEFT JOIN careleavers_intervaloverride o ON o.young_person_id = yp.id AND o.requirement = r.requirement
),
event_hits AS {q.materialized} (
    SELECT e.young_person_id AS yp_id, e.date, pe.requirement AS code, pe.window_days
    FROM careleavers_event e
    JOIN compliance_packevent pe ON pe.pack_id = (SELECT id FROM pack) AND pe.event_kind = e.kind
    WHERE e.voided_at IS NULL AND e.date <= {d} {_id_filter("e.young_person_id", young_person_ids)}
),
event_due AS (
    -- T6/T7/P1/reg 8(2)(a): an event met by no contact since; one before active_from counts from it (V3),
    -- except for pathway_review.
    SELECT req.yp_id, req.code,
           MIN({q.add_days(f"CASE WHEN req.code <> 'pathway_review' THEN {q.greatest('h.date', 'req.active_from')}"
                           f" ELSE h.date END", "h.window_days")}) AS due
    FROM event_hits h
    JOIN req ON req.yp_id = h.yp_id AND req.code = h.code
    WHERE req.trigger = 'interval' AND (req.last_met IS NULL OR h.date > req.last_met)
    GROUP BY req.yp_id, req.code
),
streak AS (
    -- E3: the contacts with the young person since the last visit (req.last_met of the escalation row), in
    -- order, unanswered before answers within a day; `answered` counts the answers so far, so each run of
    -- unanswered contacts between two answers shares one value.
    SELECT k.young_person_id AS yp_id, k.id, k.date, k.outcome IN {unanswered} AS is_unanswered,
           SUM(CASE WHEN k.outcome IN {answers} THEN 1 ELSE 0 END) OVER (
               PARTITION BY k.young_person_id
               ORDER BY k.date, CASE WHEN k.outcome IN {answers} THEN 1 ELSE 0 END, k.id
               ROWS UNBOUNDED PRECEDING) AS answered
    FROM req
    JOIN contacts_contact k ON k.young_person_id = req.yp_id
    WHERE req.trigger = 'escalation'
      AND k.with_whom = 'young_person' AND k.voided_at IS NULL
      AND k.outcome IN ('no_response', 'cancelled_by_yp', 'completed', 'declined')
      AND k.date <= {d} AND (req.last_met IS NULL OR k.date > req.last_met)
),
attempts AS (
    SELECT yp_id, date, ROW_NUMBER() OVER (PARTITION BY yp_id, answered ORDER BY date, id) AS n
    FROM streak WHERE is_unanswered
),
escalation_due AS {q.materialized} (
    -- The visit is due on the date of the third unanswered contact in a row, and stays due until a visit.
    -- Gathered once (issue 16): for an ordinary night's few hundred people PostgreSQL otherwise joined it by a
    -- nested loop that recomputed the streaks' window functions for every requirement row (1 s of its 1.2 s).
    SELECT yp_id, MIN(date) AS due FROM attempts WHERE n = (SELECT escalation_attempts FROM pack) GROUP BY yp_id
),
scheduled AS (
    SELECT req.*, {q.add_days(counted_from, "req.interval_days")} AS interval_due
    FROM req
),
result AS (
    SELECT s.yp_id AS young_person_id, s.ref, s.code, s.last_met,
           CASE WHEN s.trigger = 'escalation' THEN x.due
                WHEN ev.due < s.interval_due THEN ev.due
                ELSE s.interval_due END AS due,
           s.due_soon_days,
           CASE WHEN s.trigger = 'escalation' THEN NULL ELSE s.interval_days END AS interval_days,
           CASE WHEN s.trigger = 'escalation' THEN 'escalation'
                WHEN ev.due < s.interval_due THEN 'event'
                ELSE 'interval' END AS basis
    FROM scheduled s
    LEFT JOIN event_due ev ON ev.yp_id = s.yp_id AND ev.code = s.code
    LEFT JOIN escalation_due x ON x.yp_id = s.yp_id AND s.trigger = 'escalation'
    WHERE s.trigger = 'interval' OR x.due IS NOT NULL
),
unallocated AS (
    -- Issue 11, item 1: a registered young person the council owes a service but has not allocated to a PA
    -- (V3: nothing else counts before allocation). Due the pack's allocation_days after registration (or after
    -- the 16th birthday, for an early referral); due soon from then. Records imported with an allocation
    -- carry no registration date, so bundles and their report are unchanged.
    -- last_met is typed: PostgreSQL reads a bare NULL in a CTE as text, which no UNION with a date accepts.
    SELECT y.id AS young_person_id, y.ref, 'pa_allocated' AS code, CAST(NULL AS DATE) AS last_met,
           {q.add_days(q.greatest("y.referred_on", "y.birthday_16"), "pack.allocation_days")} AS due,
           pack.allocation_days AS due_soon_days, pack.allocation_days AS interval_days, 'allocation' AS basis
    FROM careleavers_youngperson y
    CROSS JOIN pack
    WHERE y.referred_on <= {d} AND (y.allocated_on IS NULL OR y.allocated_on > {d})
      AND (y.closed_on IS NULL OR y.closed_on > {d})
      AND NOT ({status_on} = 'qualifying' AND NOT y.pa_service)
      AND ({d} < y.birthday_21 OR (y.extended_support AND {d} < y.birthday_25))
      {_id_filter("y.id", young_person_ids)}
)
SELECT young_person_id, ref, code, last_met, due, {q.sub_days("due", "due_soon_days")} AS due_soon_from,
       interval_days, basis
FROM result
UNION ALL
SELECT young_person_id, ref, code, last_met, due, {q.sub_days("due", "due_soon_days")} AS due_soon_from,
       interval_days, basis
FROM unallocated
"""


def _as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def requirements_as_of(as_of: dt.date, young_person_ids: Iterable[int] | None = None) -> list[RequirementRow]:
    """What applies and when it is due, as known on `as_of` (records dated later are ignored)."""
    ids = None if young_person_ids is None else list(young_person_ids)
    with connection.cursor() as cursor:
        cursor.execute(requirements_sql(as_of, ids) + " ORDER BY ref, code")
        rows = cursor.fetchall()
    return [
        RequirementRow(
            young_person_id=r[0], ref=r[1], code=r[2], last_met=_as_date(r[3]), due=_as_date(r[4]),
            due_soon_from=_as_date(r[5]), interval_days=r[6], basis=r[7],
        )
        for r in rows
    ]


def recompute(as_of: dt.date | None = None, young_person_ids: Iterable[int] | None = None) -> None:
    """Bring the stored Requirement rows up to date as of `as_of` (default today).

    With `young_person_ids` only those people are recomputed (the incremental path every write
    takes, in its own transaction); without, everyone at once (the full recompute: a first night, a
    pack change, the weekly safety net; an ordinary night is recompute_night). Rows that did
    not change are not rewritten; rows that no longer apply are removed (they are derived data,
    recomputable at any time, not records).
    """
    as_of = as_of or timezone.localdate()
    ids = None if young_person_ids is None else sorted({int(i) for i in young_person_ids})
    if ids == []:
        return
    _recompute(as_of, ids)


def _recompute(as_of: dt.date, ids: list[int] | str | None) -> None:
    """recompute() for `ids`: some young people, NIGHT_TABLE's (the ordinary night) or None (everyone). The
    night's two ways (everyone, NIGHT_TABLE) end with the summaries' nightly refresh, which moves their day on."""
    q = _Dialect(connection.vendor)
    table = Requirement._meta.db_table
    nightly = not isinstance(ids, list)
    scope = _id_filter(f"{table}.young_person_id", ids)
    # Most rows are the same as last night: drop them from the result before the upsert, which
    # would otherwise lock (and so write) every one of them; what is left is new or changed. (A separate step, because an upsert
    # that also reads its own table can be planned as a scan per row when the table was empty.)
    unchanged = " AND ".join(
        q.same(f"s.{col}", f"compliance_result.{col}")
        for col in ("ref", "last_met", "due", "due_soon_from", "interval_days", "basis")
    )
    with transaction.atomic(), connection.cursor() as cursor:
        caseload_orders_lock()  # issue 16: before the rows' locks (a caller that writes first has taken it already)
        if q.pg and nightly:
            # The nightly paths compute and compare many people's rows at once: keep their hashes and sorts in memory
            # (at 100 000 young people the computation's hashes spilled to disk in batches, and a sort with them; an
            # ordinary night's join of its people to the pack's rows did too; SET LOCAL ends with the transaction).
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("DROP TABLE IF EXISTS compliance_result")
        cursor.execute(f"CREATE TEMPORARY TABLE compliance_result AS {requirements_sql(as_of, ids)}")
        gone = f"""NOT EXISTS (SELECT 1 FROM compliance_result r
                               WHERE r.young_person_id = {table}.young_person_id AND r.code = {table}.code)"""
        if nightly:
            # Issue 16: the nightly path refreshes the caseload summary only for the people whose rows it changes
            # (new, changed or gone, gathered here), and those the new day or their record moves (refresh_summary).
            cursor.execute(f"DROP TABLE IF EXISTS {CHANGED_TABLE}")
            cursor.execute(f"CREATE TEMPORARY TABLE {CHANGED_TABLE} AS"
                           f" SELECT DISTINCT young_person_id FROM {table} WHERE {gone} {scope}")
            scope = f"AND young_person_id IN (SELECT young_person_id FROM {CHANGED_TABLE})"
        cursor.execute(f"DELETE FROM {table} WHERE TRUE {scope} AND {gone}")
        cursor.execute(
            f"""DELETE FROM compliance_result WHERE EXISTS (
                    SELECT 1 FROM {table} s
                    WHERE s.young_person_id = compliance_result.young_person_id
                      AND s.code = compliance_result.code AND {unchanged})"""
        )
        if nightly:
            cursor.execute(f"INSERT INTO {CHANGED_TABLE} SELECT DISTINCT young_person_id FROM compliance_result")
        cursor.execute(
            f"""INSERT INTO {table}
                    (young_person_id, ref, code, last_met, due, due_soon_from, interval_days, basis, computed_for)
                SELECT young_person_id, ref, code, last_met, due, due_soon_from, interval_days, basis, {q.date(as_of)}
                FROM compliance_result WHERE TRUE
                ON CONFLICT (young_person_id, code) DO UPDATE SET
                    ref = excluded.ref, last_met = excluded.last_met, due = excluded.due, due_soon_from = excluded.due_soon_from,
                    interval_days = excluded.interval_days, basis = excluded.basis,
                    computed_for = excluded.computed_for"""
        )
        cursor.execute("DROP TABLE compliance_result")
        _horizon_write(cursor, as_of, ids)
        if nightly:
            # Issue 16: on an ordinary night the summaries' record checks are the people recomputed tonight (ids, the
            # NIGHT_TABLE), whose dates came: the full night's scan of every record against its row is the weekly net.
            recomputed = ids if isinstance(ids, str) else None
            refresh_summary(as_of, changed_table=CHANGED_TABLE, recomputed_table=recomputed)
            # Issue 16: the dashboards' counts by team, for the same people and those the new day moves.
            team_summary.refresh(as_of=as_of, changed_table=CHANGED_TABLE, recomputed_table=recomputed)
            cursor.execute(f"DROP TABLE {CHANGED_TABLE}")
        else:
            refresh_summary(None, ids)
            team_summary.refresh(as_of=as_of, young_person_ids=ids)  # issue 16: the dashboards' counts by team


# --- issue 16: the ordinary night, which recomputes only the young people whose results can move ---

#: The young person's own dates that the computation compares with the day (requirements_sql): their 16th, 21st
#: (T5 too), 21 years and 1 month (D4) and 25th birthdays (the statutory ages), allocation (V3), closing and
#: reopening (issue 11, item 8), the standard pattern's restart from a bundle (V3) and registration (issue 11,
#: item 1).
HORIZON_COLUMNS = ("birthday_16", "birthday_21", "birthday_21_1m", "birthday_25", "allocated_on", "closed_on",
                   "reopened_on", "standard_pattern_from", "referred_on")
#: The dated records it reads as they stand on the day, (table, date column): a legal status in force from a date
#: (T8, T9), an arrangement starting or ending (V3, R6, S5, D3), a contact (C2, E3: dated after the day it is not
#: yet there), a signed-off plan's review date (P1, P3) and an event (T6, T7, P1). Any state, voided or not: a
#: record the computation ignores only makes the night recompute someone whose rows then do not change.
HORIZON_RECORDS = (("careleavers_legalstatuschange", "from_date"), ("approvals_arrangement", "active_from"),
                   ("approvals_arrangement", "ended_on"), ("contacts_contact", "date"),
                   ("pathway_pathwayplan", "review_date"), ("careleavers_event", "date"))
#: The one table too large to pass over: its next date per young person is one probe of its (young person, date)
#: index (contact_yp_date). The other records are few, and are gathered in one pass.
HORIZON_PROBED = ("contacts_contact",)


def horizon_sql(as_of: dt.date, ids: list[int] | str | None) -> str:
    """(young_person_id, stable_until) for the young people `ids` (None: everyone): the earliest of the dates of
    HORIZON_COLUMNS and HORIZON_RECORDS after `as_of`, NULL when there is none. Until that day the computation
    reads exactly what it read on `as_of` (every comparison of a date with the day comes out the same), so the
    rows stored for `as_of` stay true with no new input; every new input recomputes its person in its write's
    transaction."""
    q = _Dialect(connection.vendor)
    d = q.date(as_of)
    dates = [f"CASE WHEN y.{column} > {d} THEN y.{column} END" for column in HORIZON_COLUMNS]
    dates += [f"(SELECT MIN(x.{column}) FROM {records} x WHERE x.young_person_id = y.id AND x.{column} > {d})"
              for records, column in HORIZON_RECORDS if records in HORIZON_PROBED]
    gathered = [f"SELECT young_person_id, {column} AS date FROM {records} WHERE {column} > {d}"
                f" {_id_filter('young_person_id', ids)}"
                for records, column in HORIZON_RECORDS if records not in HORIZON_PROBED]
    later = ""
    if gathered:
        dates.append("dated.date")
        later = (f" LEFT JOIN (SELECT young_person_id, MIN(date) AS date FROM ({' UNION ALL '.join(gathered)}) records"
                 f" GROUP BY young_person_id) dated ON dated.young_person_id = y.id")
    return (f"SELECT y.id AS young_person_id, {q.earliest(dates)} AS stable_until"
            f" FROM {YoungPerson._meta.db_table} y{later} WHERE TRUE {_id_filter('y.id', ids)}")


def _horizon_write(cursor, as_of: dt.date, ids: list[int] | str | None) -> None:
    """The young people's ResultHorizon rows as of `as_of`, in the recompute's transaction; at night writing only the
    rows that change (an upsert would lock, and so write, every row it meets). The full path also keeps a row computed for an
    earlier day whose stable_until is the same (it says the same: a night before the full recompute's day recomputes
    everyone again), and records itself (FullRecompute) for recompute_night."""
    q = _Dialect(connection.vendor)
    d = q.date(as_of)
    horizon = ResultHorizon._meta.db_table
    if isinstance(ids, list):  # a write's few young people: one statement
        cursor.execute(
            f"""INSERT INTO {horizon} (young_person_id, computed_for, stable_until)
                SELECT h.young_person_id, {d}, h.stable_until FROM ({horizon_sql(as_of, ids)}) h WHERE TRUE
                ON CONFLICT (young_person_id) DO UPDATE SET
                    computed_for = excluded.computed_for, stable_until = excluded.stable_until""")
        return
    kept = f"{horizon}.computed_for <= {d}" if ids is None else f"{horizon}.computed_for = {d}"
    cursor.execute("DROP TABLE IF EXISTS compliance_horizon")
    cursor.execute(f"CREATE TEMPORARY TABLE compliance_horizon AS {horizon_sql(as_of, ids)}")
    cursor.execute(
        f"""UPDATE {horizon} SET computed_for = {d}, stable_until = n.stable_until FROM compliance_horizon n
            WHERE n.young_person_id = {horizon}.young_person_id
              AND NOT ({q.same(f'{horizon}.stable_until', 'n.stable_until')} AND {kept})""")
    cursor.execute(
        f"""INSERT INTO {horizon} (young_person_id, computed_for, stable_until)
            SELECT n.young_person_id, {d}, n.stable_until FROM compliance_horizon n
            WHERE NOT EXISTS (SELECT 1 FROM {horizon} h WHERE h.young_person_id = n.young_person_id)""")
    cursor.execute("DROP TABLE compliance_horizon")
    if ids is None:
        FullRecompute.objects.update_or_create(pk=1, defaults={"as_of": as_of, "pack_id_used": _active_pack_id()})


def _active_pack_id() -> int | None:
    """The active pack's id, which a full recompute records and the night compares (None when none is active)."""
    return PolicyPack.objects.filter(is_active=True).values_list("pk", flat=True).first()


#: Issue 16: the safety net. The night recomputes everyone at least this often, whatever the horizons say, so a
#: write that did not recompute its young person (a bulk load, a fix in the database) is right within a week.
FULL_RECOMPUTE_DAYS = 7


def night_is_full(night: dt.date) -> bool:
    """Whether the night recomputes everyone: the first night (no full recompute recorded), a night before the last
    full recompute, another active pack than it ran under (pack_activate and pack_changed recompute everyone at
    once; this catches a pack switched any other way), or FULL_RECOMPUTE_DAYS since it."""
    last = FullRecompute.objects.filter(pk=1).values_list("as_of", "pack_id_used").first()
    return (last is None or night < last[0] or (night - last[0]).days >= FULL_RECOMPUTE_DAYS
            or last[1] != _active_pack_id())


def recompute_night(night: dt.date) -> str:
    """The night's recompute (issue 16, item 3): everyone when night_is_full; otherwise, on an ordinary night, only
    the young people whose stored rows may not be true for `night`: their stable_until has come (a date-driven
    input moves: ResultHorizon), their rows were computed for a later day, or they have no horizon yet. The same
    set-based computation, for those people; then the summaries' nightly refresh, which reaches the people whose
    rows changed and those whose due dates the new day passes. Returns "full" or "ordinary"."""
    if night_is_full(night):
        recompute(night)
        return "full"
    q = _Dialect(connection.vendor)
    d = q.date(night)
    horizon = ResultHorizon._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {NIGHT_TABLE}")
        cursor.execute(
            f"""CREATE TEMPORARY TABLE {NIGHT_TABLE} AS
                SELECT young_person_id FROM {horizon} WHERE stable_until <= {d} OR computed_for > {d}
                UNION
                SELECT y.id FROM {YoungPerson._meta.db_table} y
                WHERE NOT EXISTS (SELECT 1 FROM {horizon} h WHERE h.young_person_id = y.id)""")
        if q.pg:
            cursor.execute(f"ANALYZE {NIGHT_TABLE}")
        _recompute(night, NIGHT_TABLE)
        cursor.execute(f"DROP TABLE {NIGHT_TABLE}")
    return "ordinary"


# --- issue 16: the caseload summary, one row per young person ---


#: The summary's columns in the order refresh_summary's SELECT gives them. `closed`, `name` and `date_of_birth` come
#: from the young person (the whole service's caseload lists open cases only and sorts by name or age from the
#: summary's indexes); every service that closes or reopens a case, or changes a name or date of birth, recomputes
#: that person in its transaction (compliance.services.case_close, case_reopen; the admin; the import), which
#: refreshes their row here.
SUMMARY_COLUMNS = ("ref", "urgency", "next_due", "overdue", "due_soon", "closed", "name", "date_of_birth")


def summary_date() -> dt.date | None:
    """The day the caseload summary is true for (None before the first full refresh)."""
    return SummaryDate.objects.filter(pk=1).values_list("as_of", flat=True).first()


#: The temporary table of the people whose Requirement rows the nightly recompute changed (engine.recompute).
CHANGED_TABLE = "compliance_changed"
#: The temporary table of the people a refresh of everyone reaches when it is incremental (refresh_summary).
SCOPE_TABLE = "compliance_summary_scope"


def _summary_scope(*, day: dt.date, previous: dt.date, changed_table: str | None,
                   recomputed_table: str | None = None) -> str:
    """Issue 16: the people whose summary row may differ from what is stored, as one SELECT of ids. Each row is a
    function of the person's Requirement rows, the summary's day and their record (ref, name, date of birth,
    closed_on); the stored row was true for `previous` (every write refreshes its person at once), so it can
    differ only for people whose Requirement rows changed (`changed_table`), people with a row whose status differs
    between the two days (status_moved_sql, V2, V4: the only way the urgency, the counts and the most urgent due
    date can move by date), and people whose record no longer matches their row (a name,
    a date of birth, the closed mark on the new day) or who have none.

    `recomputed_table` (the ordinary night: the people recomputed tonight, engine.NIGHT_TABLE) stands for that last
    check, a pass over every record and row: a name, date of birth or ref changes only through a service, which
    refreshes the row in its transaction; the closed mark moves by date on the day closed_on comes, which is one of
    the dates that put its young person in the night's recompute (HORIZON_COLUMNS), as is having no horizon yet (a
    young person recorded without a recompute). A record written around the services is the weekly full night's
    to catch, as its Requirement rows are."""
    q = _Dialect(connection.vendor)
    d = q.date(day)
    summary, requirement = CaseloadSummary._meta.db_table, Requirement._meta.db_table
    closed = f"CASE WHEN y.closed_on IS NOT NULL AND y.closed_on <= {d} THEN {q.true} ELSE {q.false} END"
    selects = [
        f"""SELECT y.id AS id FROM {YoungPerson._meta.db_table} y LEFT JOIN {summary} s ON s.young_person_id = y.id
            WHERE s.young_person_id IS NULL OR s.ref <> y.ref OR s.name <> y.name
               OR NOT ({q.same("s.date_of_birth", "y.date_of_birth")}) OR s.closed <> {closed}"""
        if recomputed_table is None else f"SELECT young_person_id AS id FROM {recomputed_table}"]
    if changed_table:
        selects.append(f"SELECT young_person_id FROM {changed_table}")
    if day != previous:
        selects += status_moved_sql(requirement, low=q.date(min(day, previous)), high=q.date(max(day, previous)))
    return " UNION ".join(selects)


_UNREAD = object()  # refresh_summary's `previous` when the caller has not read the summary's date


def refresh_summary(as_of: dt.date | None = None, young_person_ids: Iterable[int] | None = None, *,
                    changed_table: str | None = None, full: bool = False, previous: object = _UNREAD,
                    recomputed_table: str | None = None) -> None:
    """Bring CaseloadSummary up to date from the stored Requirement rows, set-based (issue 16).

    Without ids: everyone, as of `as_of`, which then becomes the summary's date. Incrementally: only the people
    whose row may have moved since the last refresh (_summary_scope; `changed_table` names the people whose
    Requirement rows the caller's recompute changed), unless `full` or before the first refresh. With ids: those
    people as of the summary's date (so every row is true for the same day), or `as_of` before any full
    refresh. Rows whose values did not change are not rewritten, so a night leaves the table as it was except
    for the people whose urgency moved. One statement (two with the date). `previous`: the summary's date, when
    the caller has just read it (summary_date()), so that it is not read twice."""
    ids = None if young_person_ids is None else sorted({int(i) for i in young_person_ids})
    if ids == []:
        return
    if previous is _UNREAD:
        previous = summary_date()
    assert previous is None or isinstance(previous, dt.date)  # nosec B101  (for mypy: a date or None)
    day = (previous if ids is not None else None) or as_of or timezone.localdate()
    q = _Dialect(connection.vendor)
    d = q.date(day)
    table = CaseloadSummary._meta.db_table
    opened = f"(r.due < {d} OR r.due_soon_from <= {d})"  # V4, V2: the window has opened
    changed = " OR ".join(
        f"NOT ({q.same(f'{table}.{c}', f'excluded.{c}')})" for c in SUMMARY_COLUMNS)
    scoped = ids is None and not full and previous is not None
    scope = f"AND y.id IN (SELECT id FROM {SCOPE_TABLE})" if scoped else ""
    if ids is not None:
        scope = _id_filter("y.id", ids)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        caseload_orders_lock()  # issue 16: before the summary's row locks (a new day's refresh by its first reader)
        if scoped and previous is not None:  # scoped implies a previous day; the test is for mypy
            # A few thousand people on an ordinary night: gathered first (and, on PostgreSQL, counted), so that
            # the upsert reads only their requirement rows rather than grouping everyone's.
            cursor.execute(f"DROP TABLE IF EXISTS {SCOPE_TABLE}")
            reached = _summary_scope(day=day, previous=previous, changed_table=changed_table,
                                     recomputed_table=recomputed_table)
            cursor.execute(f"CREATE TEMPORARY TABLE {SCOPE_TABLE} AS {reached}")
            if q.pg:
                cursor.execute(f"ANALYZE {SCOPE_TABLE}")
        cursor.execute(
            f"""INSERT INTO {table} (young_person_id, {", ".join(SUMMARY_COLUMNS)})
                SELECT y.id, y.ref,
                       CASE WHEN MIN(r.due) IS NULL THEN {int(Urgency.NOTHING_DUE)}
                            WHEN MIN(r.due) < {d} THEN {int(Urgency.OVERDUE)}
                            WHEN MIN(r.due_soon_from) <= {d} THEN {int(Urgency.DUE_SOON)}
                            ELSE {int(Urgency.OK)} END,
                       COALESCE(MIN(CASE WHEN {opened} THEN r.due END), MIN(r.due)),
                       COUNT(CASE WHEN r.due < {d} THEN 1 END),
                       COUNT(CASE WHEN r.due >= {d} AND r.due_soon_from <= {d} THEN 1 END),
                       CASE WHEN y.closed_on IS NOT NULL AND y.closed_on <= {d} THEN {q.true} ELSE {q.false} END,
                       y.name, y.date_of_birth
                FROM careleavers_youngperson y
                LEFT JOIN {Requirement._meta.db_table} r ON r.young_person_id = y.id
                WHERE TRUE {scope}
                GROUP BY y.id, y.ref, y.closed_on, y.name, y.date_of_birth
                ON CONFLICT (young_person_id) DO UPDATE SET
                    {", ".join(f"{c} = excluded.{c}" for c in SUMMARY_COLUMNS)}
                WHERE {changed}"""
        )
        if scoped:
            cursor.execute(f"DROP TABLE {SCOPE_TABLE}")
        if ids is None and day != previous:
            cursor.execute(
                f"INSERT INTO {SummaryDate._meta.db_table} (id, as_of) VALUES (1, {d})"
                " ON CONFLICT (id) DO UPDATE SET as_of = excluded.as_of")


def ensure_summary(today: dt.date) -> None:
    """The caseload reads the summary as of today: when the calendar has moved past the last full
    refresh (the night's run has not run yet), or someone has no summary row, bring it up to date first
    (a refresh rewrites only what changed). Costs one query when the summary is current."""
    if (previous := summary_date()) != today:
        refresh_summary(today, previous=previous)


def recompute_young_person(young_person: YoungPerson | int, as_of: dt.date | None = None) -> None:
    """The incremental path: call inside the transaction of the write that changed the record."""
    recompute(as_of, [young_person if isinstance(young_person, int) else young_person.pk])
