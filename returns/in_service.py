"""Who is in service on a date (X2: whoever has a requirement then), as the returns need it (issue 16, item 2).

Annex A lists them; the engine's whole computation (compliance.engine.requirements_as_of) says the same but also
works out when each of their 190 000 requirements is due, which Annex A does not need: at national scale that
was most of export_returns's database time."""

import datetime as dt

from django.db import connection

from compliance.engine import requirements_sql
from compliance.models import RequirementCode

#: Where the parts of the engine's computation that say who is owed what start and end (see _in_service_sql).
_REQ_ENDS = ",\nevent_hits AS"
_UNALLOCATED_STARTS = "\nunallocated AS ("
_UNALLOCATED_ENDS = "\n)\nSELECT "


def _in_service_sql(day: dt.date) -> str:
    """Issue 16, item 2: who has a requirement on `day` (X2), from the engine's own computation
    (compliance.engine.requirements_sql, the one definition of who is owed what) cut down to what Annex A
    needs: its `pack`, `yp`, `req` and `unallocated` parts, without the newest-contact probe of every
    requirement row, the events and the E3 streaks, which say when a requirement is due, not whether it
    applies. An interval requirement applies whenever it is listed (the engine keeps every one); an E3
    escalation row applies only once due, which the cut-down query cannot tell, so anyone whose part of
    the answer depends on one is flagged (the last column) and asked of the whole computation.

    One row per young person: id, owed a pathway plan review (0/1), its last review, flagged (0/1)."""
    sql = requirements_sql(day)
    head, found_req, rest = sql.partition(_REQ_ENDS)
    _, found_unallocated, tail = rest.partition(_UNALLOCATED_STARTS)
    unallocated, found_end, _ = tail.partition(_UNALLOCATED_ENDS)
    if not (found_req and found_unallocated and found_end):
        msg = ("compliance.engine.requirements_sql no longer has the req and unallocated parts "
               "returns.exports._in_service_sql reads: make the two agree again.")
        raise RuntimeError(msg)
    pathway = f"'{RequirementCode.PATHWAY_REVIEW.value}'"
    interval = "req.trigger = 'interval'"
    # req is named once below, so PostgreSQL (12+) and SQLite fold it into this query and work out last_met
    # only where it is read: for the pathway review, one probe of plan_review_idx.
    return (f"{head},\nunallocated AS ({unallocated}\n)\n"  # noqa: S608  # nosec B608  (dates and ints inlined)
            f"SELECT req.yp_id, MAX(CASE WHEN req.code = {pathway} AND {interval} THEN 1 ELSE 0 END),"
            f" MAX(CASE WHEN req.code = {pathway} AND {interval} THEN req.last_met END),"
            f" CASE WHEN MAX(CASE WHEN {interval} THEN 1 ELSE 0 END) = 0"
            f" OR MAX(CASE WHEN req.code = {pathway} AND NOT {interval} THEN 1 ELSE 0 END) = 1 THEN 1 ELSE 0 END"
            " FROM req GROUP BY req.yp_id"
            " UNION ALL SELECT young_person_id, 0, NULL, 0 FROM unallocated")


def in_service_on(day: dt.date) -> tuple[set[int], dict[int, dt.date | None]]:
    """Who is in service on `day` (has a requirement then, X2) and, for those owed a pathway plan review, when it
    was last met, as compliance.engine.requirements_as_of(day) says: one query (_in_service_sql), aggregated by
    the database to one row per young person, plus the engine's whole computation for anyone an E3 escalation
    row decides (none under the packs shipped: every arrangement and circumstance has interval requirements)."""
    with connection.cursor() as cursor:
        cursor.execute(_in_service_sql(day))
        rows = cursor.fetchall()
        flagged = sorted(r[0] for r in rows if r[3])
        rows = [r for r in rows if not r[3]]
        if flagged:
            pathway = f"'{RequirementCode.PATHWAY_REVIEW.value}'"
            cursor.execute(
                f"SELECT r.young_person_id, MAX(CASE WHEN r.code = {pathway} THEN 1 ELSE 0 END), "  # noqa: S608  # nosec B608
                f"MAX(CASE WHEN r.code = {pathway} THEN r.last_met END), 0 FROM ({requirements_sql(day, flagged)}) r "
                "GROUP BY r.young_person_id",
            )
            rows += cursor.fetchall()

    def as_date(value) -> dt.date | None:  # SQLite returns text
        return value if value is None or isinstance(value, dt.date) else dt.date.fromisoformat(value)

    return {r[0] for r in rows}, {r[0]: as_date(r[2]) for r in rows if r[1]}
