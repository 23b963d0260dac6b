"""A requirement's status on a day, defined once: overdue, due soon or on track, and days overdue.

Every other module asks here, in Python (`status_for`, `days_overdue`) for rows it already holds,
or in SQL (`status_q`, `status_expression`, `days_overdue_expression`) for rows it filters, counts
or sorts. Both forms read the two stored dates of a requirement row, `due` and `due_soon_from`
(the start of the pack's due-soon window, so no interval is written here):

- V4: overdue once the day is after the due date; days overdue count from the day after it.
- V2 (P2 for a pathway review): due soon from the first day of the window up to the due day.
- Otherwise on track.

A window always opens on or before its due date, so "overdue or due soon" is "the window has
opened" (`needs_attention_q`), which reads one indexed column.
"""

import datetime as dt

from django.db.models import Case, CharField, DateField, F, Func, IntegerField, Q, Value, When
from django.db.models.functions import Cast

from .models import Status

# --- Python ---------------------------------------------------------------------------------


def status_for(due: dt.date, due_soon_from: dt.date, today: dt.date) -> str:
    """The status of one requirement row on `today`."""
    if today > due:  # V4
        return Status.OVERDUE
    if today >= due_soon_from:  # V2/P2
        return Status.DUE_SOON
    return Status.OK


def days_overdue(due: dt.date, today: dt.date) -> int:
    """V4: whole days since the due date; nought while not overdue."""
    return max((today - due).days, 0)


# --- SQL ------------------------------------------------------------------------------------


def _overdue(today: dt.date, due: str) -> Q:
    return Q(**{f"{due}__lt": today})  # V4


def _window_open(today: dt.date, due_soon_from: str) -> Q:
    return Q(**{f"{due_soon_from}__lte": today})  # V2/P2


def status_q(status: str, today: dt.date, prefix: str = "") -> Q:
    """Requirement rows (reached through `prefix`, e.g. "requirements__") with this status on `today`."""
    due, due_soon_from = f"{prefix}due", f"{prefix}due_soon_from"
    if status == Status.OVERDUE:
        return _overdue(today, due)
    # The negations are spelt as the opposite comparison so each stays an index range on its column.
    if status == Status.DUE_SOON:
        return Q(**{f"{due}__gte": today}) & _window_open(today, due_soon_from)  # not V4, but V2
    if status == Status.OK:
        return Q(**{f"{due_soon_from}__gt": today})  # neither V4 nor V2
    raise ValueError(f"Unknown status {status!r}.")


def needs_attention_q(today: dt.date, prefix: str = "") -> Q:
    """Overdue or due soon on `today`: the due-soon window has opened (V2, V4)."""
    return _window_open(today, f"{prefix}due_soon_from")


def status_whens(today: dt.date, *, due: str = "due", due_soon_from: str = "due_soon_from",
                 values: dict | None = None) -> list[When]:
    """The overdue and due-soon branches of a CASE over the named columns (or aggregates), each
    giving `values[status]` (default: the status itself). The caller adds what is left over."""
    values = values or {s: Value(s) for s in (Status.OVERDUE, Status.DUE_SOON)}
    return [
        When(_overdue(today, due), then=values[Status.OVERDUE]),
        When(_window_open(today, due_soon_from), then=values[Status.DUE_SOON]),  # not overdue, so due soon
    ]


def status_expression(today: dt.date, due: str = "due", due_soon_from: str = "due_soon_from") -> Case:
    """The status as an annotation: the SQL form of `status_for` (V2, V4, P2)."""
    return Case(
        *status_whens(today, due=due, due_soon_from=due_soon_from),
        default=Value(Status.OK),
        output_field=CharField(),
    )


class _DaysBetween(Func):
    """Whole days from the second date to the first (an integer on both databases)."""

    arity = 2
    output_field = IntegerField()
    template = "(%(expressions)s)"
    arg_joiner = " - "  # PostgreSQL: date - date is an integer

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(", **extra_context,
        )


def days_overdue_expression(today: dt.date, due: str = "due") -> Case:
    """V4: days overdue as an annotation, the SQL form of `days_overdue`."""
    return Case(
        When(_overdue(today, due), then=_DaysBetween(Cast(Value(today), DateField()), F(due))),
        default=Value(0),
        output_field=IntegerField(),
    )


def status_moved_sql(requirement: str, *, low: str, high: str) -> list[str]:
    """Issue 16: SELECTs of the young people with a row of `requirement` (the table) whose status differs between the
    days `low` and `high` (SQL dates, low before high), for the summaries' nightly refresh. A row reads the day only
    as `due < day` (V4) and `due_soon_from <= day` (V2, P2), so it moves exactly when low <= due < high or
    low < due_soon_from <= high: a row due on the later day is not overdue yet, a window open on the earlier day
    already was."""
    return [f"SELECT young_person_id FROM {requirement} WHERE due >= {low} AND due < {high}",  # noqa: S608  # nosec B608
            f"SELECT young_person_id FROM {requirement} WHERE due_soon_from > {low} AND due_soon_from <= {high}"]  # noqa: S608  # nosec B608
