"""The nightly compliance run and the PA's overdue updates (O1).

The run is healthchecks' sendalerts in shape: claim the night in the ledger (a unique insert,
or a compare-and-swap update to take over a failed night or one whose run died), then do
set-based work that reads the current data (recompute, snapshot, raise alert rows), then send
the alert rows in a separate step, claiming each with a compare-and-swap update. Sending is also
its own periodic task (oversight.tasks.alerts_send), so alerts a crash left unsent go out within
minutes. Because every step reads state rather than events, a run after missed nights is as
right as any other; it also takes each missed night's snapshot as of that night.

The claim is a lease that a dead run gives up. On PostgreSQL the run's session holds an advisory
lock keyed by the night for the whole of the night's work: when the worker dies its connection
closes and the lock goes with it, so the next run takes the night over at once. Elsewhere (SQLite:
tests and the demo) a thread refreshes the row's heartbeat every HEARTBEAT_EVERY, and a "running"
row whose heartbeat is older than LEASE_EXPIRY is taken over. Either way the run finishes the night
only if the ledger row still carries its attempt number (a fencing token), so a run that was taken
over rolls its work back instead of finishing twice.
"""

import datetime as dt
import json
import logging
import string
import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any, NamedTuple, Self

import rules
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.urls import reverse
from django.utils import timezone

from approvals.models import Arrangement, ArrangementKind, ArrangementState
from approvals.services import arrangements_review_request
from careleavers.models import CaseNote, CaseNoteKind, Notification, PlannedAbsence, Staff, Team, YoungPerson
from careleavers.selectors import team_leaders_of_teams
from careleavers.services import case_note_add, check_note_text, notify
from compliance.checkpoints import caseload_writes
from compliance.engine import recompute, recompute_night
from compliance.models import Basis, PolicyPack, Requirement, RequirementCode, Status
from compliance.packs import active_pack
from compliance.status import days_overdue, status_expression, status_q
from core.audit import audit_record
from core.errors import InvalidState, NotAllowed, ServiceError
from core.idempotency import once_tokens_prune
from core.models import AuditKind
from core.rules import team_leaders_among
from pathway.models import PathwayPlan, PlanState
from pathway.services import plans_unshared_notify

from .mail import DigestEmail
from .models import (
    Alert,
    AlertKind,
    AlertOutcome,
    Dashboard,
    DashboardReview,
    NightlyRun,
    OverdueAnswer,
    OverdueByCode,
    OverdueByTeam,
    OverdueUpdate,
    ReviewPeriod,
    RunState,
    Snapshot,
)

log = logging.getLogger(__name__)

#: The heartbeat path (no PostgreSQL): a "running" night whose heartbeat is older than this was
#: given up by its run (the worker died) and another run takes it over.
LEASE_EXPIRY = dt.timedelta(minutes=2)
#: How often a run on the heartbeat path says it is alive.
HEARTBEAT_EVERY = dt.timedelta(seconds=20)
#: The first key of the PostgreSQL advisory locks on nights (the second is the night's ordinal).
ADVISORY_LOCK_CLASS = 7_010_014
#: At most this many missed nights get their snapshot back-filled by one run (the rest are recorded).
BACKFILL_LIMIT = 62

_LABELS = dict(RequirementCode.choices)


@dataclass
class RunResult:
    night: dt.date
    ran: bool
    state: str
    missed_nights: list[dt.date] = field(default_factory=list)
    filled_nights: list[dt.date] = field(default_factory=list)
    requirements: int = 0
    snapshot_rows: int = 0
    alerts_raised: int = 0
    alerts_sent: int = 0
    worker: str = ""
    #: Seconds per step of the run (issue 16: the benchmark prints them), in the order they ran.
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def nothing_to_do(self) -> bool:
        """The night's work was already done (and none of its alerts were left to send)."""
        return not self.ran and self.state == RunState.DONE and self.alerts_sent == 0

    @property
    def busy(self) -> bool:
        """Another run holds the night and is alive."""
        return not self.ran and self.state == RunState.RUNNING

    def as_dict(self) -> dict:
        return {
            "night": self.night.isoformat(), "ran": self.ran, "state": self.state,
            "missed_nights": [d.isoformat() for d in self.missed_nights],
            "filled_nights": [d.isoformat() for d in self.filled_nights], "requirements": self.requirements,
            "snapshot_rows": self.snapshot_rows, "alerts_raised": self.alerts_raised, "alerts_sent": self.alerts_sent,
            "worker": self.worker, "phases": self.phases,
        }


class LeaseLostError(Exception):
    """Another run took the night over while this one was working (the fencing token moved on)."""


# --- the lease --------------------------------------------------------------------------------

_held = threading.local()  # nights whose advisory lock this thread's connection holds


def _advisory() -> bool:
    return connection.vendor == "postgresql"


def _nights_held() -> set[dt.date]:
    if not hasattr(_held, "nights"):
        _held.nights = set()
    return _held.nights


def _advisory_lock(night: dt.date) -> bool:
    """Take the night's session advisory lock. Not re-entrant: a night this session already holds
    counts as held by another run (PostgreSQL would let the same session stack it)."""
    held = _nights_held()
    if night in held:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [ADVISORY_LOCK_CLASS, night.toordinal()])
        got = bool(cursor.fetchone()[0])
    if got:
        held.add(night)
    return got


def _advisory_unlock(night: dt.date) -> None:
    held = _nights_held()
    if night not in held:
        return
    held.discard(night)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [ADVISORY_LOCK_CLASS, night.toordinal()])
    except DatabaseError:  # the connection is gone, and the lock with it
        log.warning("Could not release the advisory lock on %s: the connection was lost", night)


def _lease_gone(row: Mapping[str, Any], *, now: dt.datetime) -> bool:
    """May a run take over this ledger row? Call on PostgreSQL only while holding the night's lock."""
    if row["state"] == RunState.DONE:
        return False
    if row["state"] == RunState.FAILED or _advisory():
        # PostgreSQL: we hold the night's lock, so whoever marked it "running" is no longer alive.
        return True
    beat = row["heartbeat_at"] or row["started_at"]
    return beat < now - LEASE_EXPIRY


def _claim_row(*, night: dt.date, worker: str, now: dt.datetime) -> NightlyRun | None:
    try:
        with transaction.atomic():
            return NightlyRun.objects.create(night=night, worker=worker[:200], started_at=now, heartbeat_at=now)
    except IntegrityError:
        pass
    existing = NightlyRun.objects.filter(night=night).values("pk", "state", "attempts", "started_at", "heartbeat_at").first()
    if existing is None or not _lease_gone(existing, now=now):
        return None
    claimed = NightlyRun.objects.filter(pk=existing["pk"], state=existing["state"], attempts=existing["attempts"]).update(
        state=RunState.RUNNING, worker=worker[:200], started_at=now, heartbeat_at=now, finished_at=None,
        attempts=F("attempts") + 1, error="",
    )
    return NightlyRun.objects.get(pk=existing["pk"]) if claimed == 1 else None


def run_claim(*, night: dt.date, worker: str = "") -> NightlyRun | None:
    """Claim the night, or return None if it is done or another live run has it.

    The unique `night` column decides between two workers inserting at once; a failed night, or a
    running one whose lease is gone, is taken over with a compare-and-swap update on the attempt
    number, so again only one worker wins. On PostgreSQL the claim holds the night's advisory lock
    until run_release.
    """
    if _advisory() and not _advisory_lock(night):
        return None  # a live session holds the night
    try:
        run = _claim_row(night=night, worker=worker, now=timezone.now())
    except BaseException:
        _advisory_unlock(night)
        raise
    if run is None:
        _advisory_unlock(night)
    return run


def run_release(*, run: NightlyRun) -> None:
    """Give up the night's lease (PostgreSQL: its advisory lock). The row's state says the rest."""
    _advisory_unlock(run.night)


def run_heartbeat(*, run: NightlyRun) -> bool:
    """Say the run is alive. False when the night is no longer this run's (done, or taken over)."""
    return NightlyRun.objects.filter(pk=run.pk, state=RunState.RUNNING, attempts=run.attempts).update(
        heartbeat_at=timezone.now()
    ) == 1


class _Heartbeat:
    """A thread refreshing the run's heartbeat on its own connection, for the heartbeat path.

    SQLite has one writer: while the run's transaction writes, a beat waits or fails (logged) and
    the next one tries again. A takeover is a write too, so it cannot slip in while the run's
    transaction is open, and the fencing token stops a late finish."""

    def __init__(self, run: NightlyRun) -> None:
        self.run = run
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"nightly-heartbeat-{run.night}", daemon=True)

    def _beat(self) -> None:
        try:
            while not self.stopped.wait(HEARTBEAT_EVERY.total_seconds()):
                try:
                    if not run_heartbeat(run=self.run):
                        return
                except DatabaseError as exc:
                    log.info("Nightly run heartbeat for %s missed: %s", self.run.night, exc)
        finally:
            connection.close()  # this thread's own connection

    def __enter__(self) -> Self:
        if not _advisory():
            self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopped.set()
        if self.thread.is_alive():
            self.thread.join(timeout=HEARTBEAT_EVERY.total_seconds() + 10)


# --- missed nights ----------------------------------------------------------------------------

def missed_nights_before(night: dt.date) -> list[dt.date]:
    """Nights after the last completed run before `night` that have no completed run."""
    previous = (
        NightlyRun.objects.filter(night__lt=night, state=RunState.DONE).order_by("-night").values_list("night", flat=True).first()
    )
    if previous is None:
        return []
    return [previous + dt.timedelta(days=n) for n in range(1, (night - previous).days)]


def missed_nights_fill(*, night: dt.date, missed: list[dt.date], worker: str) -> list[dt.date]:
    """Give each missed night its ledger row and its snapshot as of that night (the engine reads
    only what was recorded by then). Runs inside the night's transaction, so a crash fills nothing
    and the rerun fills them all. A missed night another live run holds is left to it."""
    filled = []
    for missed_night in missed[-BACKFILL_LIMIT:]:
        if _advisory() and not _advisory_lock(missed_night):
            continue
        try:
            row = _claim_row(night=missed_night, worker=f"{worker} (filled in by the run for {night})"[:200],
                             now=timezone.now())
            if row is None:
                continue
            recompute(missed_night)
            row.requirements = Requirement.objects.count()
            row.snapshot_rows = snapshot_take(run=row, night=missed_night)
            row.state, row.finished_at = RunState.DONE, timezone.now()
            row.save(update_fields=["requirements", "snapshot_rows", "state", "finished_at"])
            filled.append(missed_night)
        finally:
            # Released before the night's commit: a run that claims this missed night meanwhile waits
            # on the row's lock, then finds it done (or, after a rollback, takes it over).
            _advisory_unlock(missed_night)
    return filled


# --- the run ----------------------------------------------------------------------------------

class _Stopwatch:
    """`with phase("name"):` adds the block's wall seconds to `phase.seconds["name"]`."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started


def _run_finish(*, run: NightlyRun) -> None:
    """Mark the night done, only if it is still this run's (the fencing token): else the caller's
    transaction rolls the work back."""
    run.state, run.finished_at = RunState.DONE, timezone.now()
    finished = NightlyRun.objects.filter(pk=run.pk, state=RunState.RUNNING, attempts=run.attempts).update(
        state=run.state, finished_at=run.finished_at, heartbeat_at=run.finished_at, missed_nights=run.missed_nights,
        requirements=run.requirements, snapshot_rows=run.snapshot_rows, alerts_raised=run.alerts_raised,
    )
    if finished != 1:
        raise LeaseLostError(f"Night {run.night} was taken over by another run")


def nightly_run(*, as_of: dt.date | None = None, worker: str = "") -> RunResult:
    """The nightly job (O1): recompute, snapshot (missed nights too), raise alerts, then send them.

    Safe to repeat: a second run of a done night only sends what is still unsent. A night whose
    run died is taken over (see run_claim)."""
    today = timezone.localdate()
    night = as_of or today
    phase = _Stopwatch()
    run = run_claim(night=night, worker=worker)
    if run is None:
        row = NightlyRun.objects.filter(night=night).values("state", "worker").first() or {"state": "", "worker": ""}
        log.info("Nightly run for %s skipped: already %s", night, row["state"])
        sent = alerts_send() if row["state"] == RunState.DONE else 0
        return RunResult(night=night, ran=False, state=row["state"], alerts_sent=sent, worker=row["worker"])
    try:
        # Issue 16: the caseload orders' lock before any row lock, held to the commit (as the trigger would hold it).
        with _Heartbeat(run), phase("commit"), caseload_writes():
            with phase("missed_nights"):
                missed = missed_nights_before(night)
                if missed:
                    log.warning("Nightly run for %s: no completed run on %s", night, ", ".join(map(str, missed)))
                filled = missed_nights_fill(night=night, missed=missed, worker=run.worker)
            with phase("recompute"):
                # Issue 16: an ordinary night recomputes only the people whose results can move (everyone on a first
                # night, after a pack change, before the last full recompute's day, and weekly).
                how = recompute_night(night)
                log.info("Nightly run for %s: %s recompute", night, how)
            run.missed_nights = [d.isoformat() for d in missed]
            with phase("snapshot"):
                run.snapshot_rows = snapshot_take(run=run, night=night)
                # Every stored row is in exactly one of the snapshot's counts: their sum, not another pass.
                run.requirements = Snapshot.objects.filter(run=run).aggregate(n=Sum("count"))["n"] or 0
            with phase("alerts_raise"):
                run.alerts_raised = alerts_raise(run=run, night=night)
            with phase("escalation_reviews"):
                escalation_reviews_request(run=run, night=night)
            with phase("plans_unshared"):
                plans_unshared_notify(today=night)  # issue 13, item 4 (P4): plans signed off and not shared in time
            once_tokens_prune()
            _run_finish(run=run)
            # The alerts are sent after this transaction; each sent alert is its own row (Alert.sent_at).
            audit_record(kind=AuditKind.NIGHTLY_RUN, obj=run, night=night, worker=run.worker, attempts=run.attempts,
                         missed_nights=run.missed_nights, filled_nights=[d.isoformat() for d in filled],
                         requirements=run.requirements, snapshot_rows=run.snapshot_rows, alerts_raised=run.alerts_raised)
    except LeaseLostError:
        log.warning("Nightly run for %s by %s was taken over; its work was rolled back", night, run.worker)
        state = NightlyRun.objects.filter(night=night).values_list("state", flat=True).first() or ""
        return RunResult(night=night, ran=False, state=state)
    except Exception as exc:
        NightlyRun.objects.filter(pk=run.pk, state=RunState.RUNNING, attempts=run.attempts).update(
            state=RunState.FAILED, finished_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    finally:
        run_release(run=run)
    with phase("alerts_send"):  # the notifications, then one digest e-mail each after its commit
        sent = alerts_send()
    if night != today:
        # A run for another date (catching up, or a test) leaves the stored rows as of today, which
        # is what every page and the incremental recompute assume.
        with phase("recompute_today"):
            recompute(today)
    phases = phase.seconds
    # The commit phase is the whole transaction: keep only what its named steps did not account for.
    phases["commit"] = max(0.0, phases["commit"] - sum(
        v for k, v in phases.items() if k not in ("commit", "alerts_send", "recompute_today")))
    log.info("Nightly run for %s: %s", night, ", ".join(f"{k} {v:.2f} s" for k, v in phases.items()))
    return RunResult(
        night=night, ran=True, state=run.state, missed_nights=missed, filled_nights=filled, requirements=run.requirements,
        snapshot_rows=run.snapshot_rows, alerts_raised=run.alerts_raised, alerts_sent=sent, worker=run.worker,
        phases={k: round(v, 4) for k, v in phases.items()},
    )


# --- snapshots --------------------------------------------------------------------------------

def snapshot_take(*, run: NightlyRun, night: dt.date) -> int:
    """The night's counts by team, PA, requirement and status, set-based (issue 16): one INSERT ...
    SELECT of the aggregate over the stored rows, so nothing passes through Python. Returns the rows."""
    counts = (
        Requirement.objects.order_by()
        .annotate(team_of=F("young_person__pa__team"), pa_of=F("young_person__pa"), status_of=status_expression(night))
        .values("team_of", "pa_of", "code", "status_of")
        .annotate(n=Count("pk"))
    )
    sql, params = counts.query.sql_with_params()
    ops = connection.ops
    table = ops.quote_name(Snapshot._meta.db_table)
    columns = ", ".join(ops.quote_name(c) for c in ("run_id", "night", "team_id", "pa_id", "requirement", "status", "count"))
    statement = (  # table and column names from the models, every value bound
        f"INSERT INTO {table} ({columns}) "  # noqa: S608  # nosec B608
        f"SELECT %s, %s, c.team_of, c.pa_of, c.code, c.status_of, c.n FROM ({sql}) c"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [run.pk, ops.adapt_datefield_value(night), *params])
        inserted = max(cursor.rowcount, 0)
    snapshot_totals_take(run=run)
    return inserted


def snapshot_totals_take(*, run: NightlyRun) -> None:
    """The run's overdue items by team and by requirement (OverdueByTeam, OverdueByCode), summed from its snapshot
    rows: two INSERT ... SELECT, in the caller's transaction as the snapshot. Issue 16: the dashboards' trends read
    these sums, not the snapshot's rows (O1). Whatever writes a run's Snapshot rows writes these after them."""
    overdue = Snapshot.objects.filter(run=run, status=Status.OVERDUE).order_by()
    ops = connection.ops
    with connection.cursor() as cursor:
        for model, key, column in ((OverdueByTeam, "team", "team_id"), (OverdueByCode, "requirement", "requirement")):
            sql, params = overdue.values("run", "night", key).annotate(n=Sum("count")).values_list(
                "run", "night", key, "n").query.sql_with_params()
            columns = ", ".join(ops.quote_name(c) for c in ("run_id", "night", column, "count"))
            cursor.execute(  # table and column names from the models, every value bound
                f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({columns}) {sql}",  # nosec B608
                params)


# --- alerts -----------------------------------------------------------------------------------

#: kind -> (rule, tell the Team Leader too)
ALERT_RULES: dict[str, tuple[str, bool]] = {
    AlertKind.DUE_SOON: ("V2", False),  # P2 for a pathway review; the Team Leader hears of visits (below)
    AlertKind.PLAN_TO_TEAM_LEADER: ("P2", True),
    AlertKind.OVERDUE: ("V4", True),
    AlertKind.ABSENCE_CLASH: ("V5", True),
    AlertKind.ESCALATION_DUE: ("E3", True),
}


#: V2: "notify your Team Leader if a visit will go overdue": a visit due soon is told to the Team Leader too.
DUE_SOON_TOLD_TO_TEAM_LEADER = (RequirementCode.VISIT,)


def _tells_team_leader(alert: "Alert | _Claimed") -> bool:
    return ALERT_RULES[AlertKind(alert.kind)][1] or (
        alert.kind == AlertKind.DUE_SOON and alert.requirement in DUE_SOON_TOLD_TO_TEAM_LEADER
    )


def alert_candidates(*, night: dt.date) -> dict[str, QuerySet]:
    """(young person, requirement, due) for each alert kind on the night, as a queryset each (not run here)."""
    rows = Requirement.objects.order_by()
    fields = ("young_person_id", "code", "due")
    pack = active_pack()
    submitted = PathwayPlan.objects.filter(young_person=OuterRef("young_person"), state=PlanState.SUBMITTED)
    away = PlannedAbsence.objects.filter(staff=OuterRef("young_person__pa"), start__lte=OuterRef("due"), end__gte=OuterRef("due"))
    return {
        # V2/P2: inside the stored due-soon window (14 days, 28 for a review: pack rows).
        AlertKind.DUE_SOON: rows.filter(status_q(Status.DUE_SOON, night)).exclude(basis=Basis.ESCALATION).values_list(*fields),
        # P2: the plan reaches the Team Leader plan_with_team_leader_days before the review date.
        AlertKind.PLAN_TO_TEAM_LEADER: rows.filter(
            code=RequirementCode.PATHWAY_REVIEW, due__gte=night,
            due__lte=night + dt.timedelta(days=pack.plan_with_team_leader_days),
        ).filter(~Exists(submitted)).values_list(*fields),
        # V4: overdue once the night is after the due date.
        AlertKind.OVERDUE: rows.filter(status_q(Status.OVERDUE, night)).values_list(*fields),
        # V5: a due date still to come that falls inside the PA's planned absence.
        # (Only the young people of PAs with an absence not over yet: a few hundred rows, not every due date to come.)
        AlertKind.ABSENCE_CLASH: rows.filter(
            due__gte=night, young_person__pa__in=PlannedAbsence.objects.filter(end__gte=night).values("staff"),
        ).filter(Exists(away)).values_list(*fields),
        # E3: unanswered contacts made a visit due at once.
        AlertKind.ESCALATION_DUE: rows.filter(basis=Basis.ESCALATION, due__lte=night).values_list(*fields),
    }


def alerts_raise(*, run: NightlyRun | None, night: dt.date) -> int:
    """Insert the night's new alert rows, set-based (issue 16): one INSERT ... SELECT of every kind's
    candidates, each leaving out those raised before (NOT EXISTS on the unique key), so nothing is loaded
    into Python, an ordinary night inserts only what is new, and no row is written twice (ON CONFLICT DO
    NOTHING: two runs of different nights at once). Returns the rows inserted."""
    ops = connection.ops
    table = ops.quote_name(Alert._meta.db_table)
    columns = ", ".join(ops.quote_name(c) for c in (
        "young_person_id", "requirement", "kind", "due", "rule", "raised_on", "run_id", "created_at", "sent_at",
        "outcome", "recipients"))
    now = timezone.now()
    branches: list[str] = []
    branch_params: list[Any] = []
    for position, (kind, candidates) in enumerate(alert_candidates(night=night).items()):
        new = candidates.filter(~Exists(Alert.objects.filter(
            young_person=OuterRef("young_person"), requirement=OuterRef("code"), kind=kind, due=OuterRef("due"))))
        sql, params = new.query.sql_with_params()
        rule = ALERT_RULES[kind][0]
        # A pathway review due soon is P2, not V2.
        pathway = RequirementCode.PATHWAY_REVIEW if kind == AlertKind.DUE_SOON else ""
        branches.append(
            f"SELECT {position} AS kind_pos, ROW_NUMBER() OVER () AS pos, c.young_person_id, c.code, %s AS kind,"  # noqa: S608  # nosec B608
            f" c.due, CASE WHEN c.code = %s THEN 'P2' ELSE %s END AS rule FROM ({sql}) c")
        branch_params += [kind, pathway, rule, *params]
    # One statement for the five kinds (issue 16), inserting in the order five statements did (kind by kind, each
    # in its candidates' order). The ORDER BY also makes every candidate be read before the first row is written:
    # on a first night the table is empty, so PostgreSQL probes it by a scan per candidate, and a scan that ran
    # while the statement wrote into the table read every row written so far (0.8 s of CPU for 12 500 due-soon alerts).
    # No two kinds' rows can clash (the kind is in the unique key), so each NOT EXISTS reads what it read before.
    statement = (  # table and column names from the models, every value bound
        f"INSERT INTO {table} ({columns}) "  # noqa: S608  # nosec B608
        f"SELECT n.young_person_id, n.code, n.kind, n.due, n.rule, %s, %s, %s, NULL, %s, 0"
        f" FROM ({' UNION ALL '.join(branches)}) n WHERE 1 = 1 ORDER BY n.kind_pos, n.pos ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [ops.adapt_datefield_value(night), run.pk if run else None,
                                   ops.adapt_datetimefield_value(now), AlertOutcome.PENDING, *branch_params])
        return max(cursor.rowcount, 0)


def escalation_reviews_request(*, run: NightlyRun, night: dt.date) -> int:
    """E3: when the escalated visit becomes due (an ESCALATION_DUE alert raised tonight), the active
    reduced-visits arrangement is put up for review: the young person agreed to respond (R2). The Team
    Leader is told by the alert (in the night's digest e-mail) and by an in-app notification of the review.

    Set-based (issue 16): approvals.services.arrangements_review_request, the service behind a single review
    too, writes all of them with one bulk write per table. Returns the arrangements put up for review."""
    young_people = Alert.objects.filter(run=run, kind=AlertKind.ESCALATION_DUE).values("young_person")
    arrangements = Arrangement.objects.filter(
        young_person__in=young_people, kind=ArrangementKind.REDUCED_VISITS, state=ArrangementState.ACTIVE)
    attempts = active_pack().escalation_attempts

    def reason(arrangement: Arrangement) -> str:
        return (f"{arrangement.young_person.name} has not responded to {attempts} contacts in a "
                f"row, so a visit is due at once; under reduced visits they agreed to respond.")  # E3, R2

    return len(arrangements_review_request(
        arrangements=arrangements, reason=reason, actor=None, today=night, email_team_leaders=False,
        change_reason="Put up for review by the nightly run"))  # E3


class _Claimed(NamedTuple):
    """An unsent alert as alerts_send reads it: its row, its young person's name and team, and the
    requirement's due date now (None when the requirement no longer applies)."""

    pk: int
    young_person_id: int
    requirement: str
    kind: str
    due: dt.date
    rule: str
    name: str
    ref: str
    pa_id: int | None
    pa_team_id: int | None
    referring_team_id: int | None
    due_now: dt.date | None


#: Each kind's message (V2 or P2, P2, V4, V5, E3), with the requirement's label, the young person ("name (ref)"),
#: the due date, the date the plan should be with the Team Leader (P2) and the pack's escalation attempts (E3).
#: One text for both ways of sending: alerts_send writes it in Python or in SQL (_message_sql).
ALERT_MESSAGES: dict[str, str] = {
    AlertKind.DUE_SOON: "{label} for {who} is due on {due}.",
    AlertKind.PLAN_TO_TEAM_LEADER: "Pathway plan for {who} should be with the Team Leader by {by}: review due {due}.",
    AlertKind.OVERDUE: "{label} for {who} was due on {due} and is overdue. Please record an update on the overdue item.",
    AlertKind.ABSENCE_CLASH: "{label} for {who} is due on {due}, during the Personal Adviser's planned absence: "
                             "bring it forward.",
    AlertKind.ESCALATION_DUE: "{who} has not responded to {attempts} contacts in a row: a visit was due on {due}.",
}

#: A message is at most 500 characters (a name is at most 200, a ref 50), so the digest reads the whole of it.
MESSAGE_MAX_LENGTH = 500


def _alert_message(alert: _Claimed, *, pack: PolicyPack) -> str:
    by = alert.due - dt.timedelta(days=pack.plan_with_team_leader_days)
    return ALERT_MESSAGES[alert.kind].format(
        label=_LABELS.get(alert.requirement, alert.requirement), who=f"{alert.name} ({alert.ref})",
        due=f"{alert.due.day} {alert.due:%b %Y}", by=f"{by.day} {by:%b %Y}", attempts=pack.escalation_attempts)


def _message_sql(*, pack: PolicyPack) -> tuple[str, list[Any]]:
    """ALERT_MESSAGES as one SQL expression over the claimed row `c` (alerts_send in the database): each text's
    pieces bound as parameters, its fields as columns. A date as `{d.day} {d:%b %Y}` is to_char's 'FMDD Mon YYYY'
    (English month abbreviations either way; tests/oversight/test_alerts_send_paths.py compares the two)."""
    fields = {
        "label": "COALESCE(CAST(%s AS jsonb) ->> c.requirement, c.requirement)",
        "who": "c.name || ' (' || c.ref || ')'",
        "due": "to_char(c.due, 'FMDD Mon YYYY')",
        "by": "to_char(c.due - CAST(%s AS integer), 'FMDD Mon YYYY')",
        "attempts": "CAST(%s AS text)",
    }
    values = {"label": json.dumps(_LABELS), "by": pack.plan_with_team_leader_days, "attempts": pack.escalation_attempts}
    cases: list[str] = []
    params: list[Any] = []
    for kind, text in ALERT_MESSAGES.items():
        pieces = []
        params.append(kind)
        for literal, name, _, _ in string.Formatter().parse(text):
            if literal:
                pieces.append("%s")
                params.append(literal)
            if name:
                pieces.append(f"({fields[name]})")
                if name in values:
                    params.append(values[name])
        cases.append(f"WHEN %s THEN {' || '.join(pieces)}")
    return f"LEFT(CASE c.kind {' '.join(cases)} END, {MESSAGE_MAX_LENGTH})", params


def _in_database() -> bool:
    """Send alerts, and make their digests, in the database (PostgreSQL), or through Python (elsewhere). Both ways
    write the same rows and e-mails (tests/oversight/test_alerts_send_paths.py runs both on PostgreSQL)."""
    return connection.vendor == "postgresql"


def _unsent_claimed() -> QuerySet:
    """The unsent alerts, claimed: a row lock that skips rows another sender holds, read with their young person's
    name and team and the requirement's due date now, in id order."""
    due_now = Requirement.objects.filter(young_person=OuterRef("young_person"), code=OuterRef("requirement")).values("due")
    return (Alert.objects.filter(sent_at__isnull=True).select_for_update(skip_locked=True, of=("self",))
            .annotate(due_now=Subquery(due_now[:1])).order_by("pk"))


def _young_person_url_parts() -> tuple[str, str]:
    """The young person's page around their id, by substitution rather than one reverse() per alert."""
    prefix, suffix = reverse("young_person", args=[987654321]).split("987654321")
    return prefix, suffix


def alerts_send(*, today: dt.date | None = None) -> int:
    """Send every alert not yet sent, set-based (issue 16): one transaction, not one per alert.

    The unsent alerts are claimed at once (_unsent_claimed), each gets its outcome and number of recipients, so
    each goes once; their in-app notifications are inserted in the alerts' order and each alert's recipients' order
    (the PA, then the Team Leaders by name when the rule tells them); and each member of staff gets one e-mail, a
    digest of everything sent to them in this run, after the commit: the `digests_send` task reads them back from
    those notifications (oversight.tasks.digests_send). On PostgreSQL all of it is one statement computed in the
    database (_alerts_send_sql: a first night's 33 000 alerts and 60 000 notifications never pass through Python);
    elsewhere the same rows through Python (_alerts_send_python).
    The nightly run calls it after its commit, and oversight.tasks.alerts_send every few minutes
    (oversight.schedule.ALERTS_SCHEDULE), so alerts a crash left unsent go out within minutes. An alert
    whose requirement has moved on since it was raised (met, or a new due date) is closed without
    sending. (`today` is accepted for older callers; the stored rows decide.) Returns the alerts sent.
    """
    with transaction.atomic():
        now, pack = timezone.now(), active_pack()
        send = _alerts_send_sql if _in_database() else _alerts_send_python
        sent, first, last = send(now=now, pack=pack)
        if first is not None and last is not None:
            _digests_queue_at_commit(sent_at=now, first=first, last=last)
    return sent


def _digests_queue_at_commit(*, sent_at: dt.datetime, first: int, last: int) -> None:
    transaction.on_commit(partial(_digests_queue, sent_at=sent_at, first=first, last=last))


def _leaders_sql() -> tuple[str, list[Any]]:
    """Every Team Leader (core.rules.team_leaders_among) with their place in their team by name."""
    sql, params = team_leaders_among(Staff.objects.all()).order_by().values("id", "team_id", "name").query.sql_with_params()
    return (f"SELECT l.id, l.team_id, ROW_NUMBER() OVER (PARTITION BY l.team_id ORDER BY l.name, l.id) AS pos"  # noqa: S608  # nosec B608
            f" FROM ({sql}) l"), list(params)


def _alerts_send_sql(*, now: dt.datetime, pack: PolicyPack) -> tuple[int, int | None, int | None]:
    """alerts_send's writes as one statement (PostgreSQL): claim, recipients, outcomes, notifications. Returns the
    alerts sent and the first and last new notification ids (None when none)."""
    claimed, claimed_params = _unsent_claimed().values(
        "id", "young_person_id", "requirement", "kind", "due", "due_now", name=F("young_person__name"),
        ref=F("young_person__ref"), pa_id=F("young_person__pa_id"), pa_team_id=F("young_person__pa__team_id"),
        referring_team_id=F("young_person__referring_team_id"),
    ).query.sql_with_params()
    leaders, leaders_params = _leaders_sql()
    message, message_params = _message_sql(pack=pack)
    prefix, suffix = _young_person_url_parts()
    told = [kind for kind, (_, tells) in ALERT_RULES.items() if tells]
    ops = connection.ops
    alerts, notes = ops.quote_name(Alert._meta.db_table), ops.quote_name(Notification._meta.db_table)
    sql = (  # table names from the models, the claim and the Team Leaders from the ORM, every value bound
        f"WITH claimed AS MATERIALIZED ({claimed}),"  # noqa: S608  # nosec B608
        f" leaders AS ({leaders}),"
        # Issue 11, item 1: an unallocated referral's alerts ("PA allocated") go to the Team Leaders it was referred
        # to; else the PA, and their Team Leaders when the rule says (V2: a visit due soon; P2, V4, V5, E3).
        " recipients AS ("
        "  SELECT c.id AS alert_id, c.pa_id AS staff_id, 0 AS pos FROM claimed c WHERE c.pa_id IS NOT NULL"
        "  UNION ALL SELECT c.id, l.id, l.pos FROM claimed c JOIN leaders l ON l.team_id = c.pa_team_id"
        "   WHERE c.pa_id IS NOT NULL AND l.id <> c.pa_id"
        "   AND (c.kind = ANY(%s) OR (c.kind = %s AND c.requirement = ANY(%s)))"
        "  UNION ALL SELECT c.id, l.id, l.pos FROM claimed c JOIN leaders l ON l.team_id = c.referring_team_id"
        "   WHERE c.pa_id IS NULL),"
        " counted AS (SELECT alert_id, COUNT(*) AS n FROM recipients GROUP BY alert_id),"
        " outcomes AS (SELECT c.id, CASE WHEN c.due_now IS DISTINCT FROM c.due THEN %s WHEN n.n IS NULL THEN %s"
        "  ELSE %s END AS outcome, CASE WHEN c.due_now IS DISTINCT FROM c.due THEN 0 ELSE COALESCE(n.n, 0) END AS n"
        "  FROM claimed c LEFT JOIN counted n ON n.alert_id = c.id),"
        f" marked AS (UPDATE {alerts} a SET sent_at = %s, outcome = o.outcome, recipients = o.n FROM outcomes o"
        "  WHERE a.id = o.id),"
        f" added AS (INSERT INTO {notes} (recipient_id, young_person_id, kind, message, url, created_at)"
        f"  SELECT r.staff_id, c.young_person_id, %s || c.kind, {message}, %s || c.young_person_id || %s, %s"
        "  FROM claimed c JOIN outcomes o ON o.id = c.id JOIN recipients r ON r.alert_id = c.id"
        "  WHERE o.outcome = %s ORDER BY c.id, r.pos RETURNING id)"
        " SELECT (SELECT COUNT(*) FROM outcomes WHERE outcome = %s), MIN(id), MAX(id) FROM added"
    )
    params = [
        *claimed_params, *leaders_params, told, AlertKind.DUE_SOON, list(DUE_SOON_TOLD_TO_TEAM_LEADER),
        AlertOutcome.SUPERSEDED, AlertOutcome.NO_RECIPIENT, AlertOutcome.SENT, now,
        "oversight.", *message_params, prefix, suffix, now, AlertOutcome.SENT, AlertOutcome.SENT,
    ]
    with connection.cursor() as cursor:
        # A first night's claimed rows, recipients and sort stay in memory (at 4 MB they went to temporary files).
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, params)
        sent, first, last = cursor.fetchone()
    return sent, first, last


def _alerts_send_python(*, now: dt.datetime, pack: PolicyPack) -> tuple[int, int | None, int | None]:
    """alerts_send's writes through Python (no PostgreSQL): the same rows as _alerts_send_sql."""
    claimed = [_Claimed(*row) for row in _unsent_claimed().values_list(
        "pk", "young_person_id", "requirement", "kind", "due", "rule", "young_person__name", "young_person__ref",
        "young_person__pa_id", "young_person__pa__team_id", "young_person__referring_team_id", "due_now")]
    if not claimed:
        return 0, None, None
    team_ids = {a.pa_team_id if a.pa_id is not None else a.referring_team_id for a in claimed} - {None}
    leaders: dict[int | None, list[int]] = defaultdict(list)
    for leader in team_leaders_of_teams(team_ids).order_by("name", "pk"):
        leaders[leader.team_id].append(leader.pk)
    prefix, suffix = _young_person_url_parts()
    outcomes: dict[tuple[str, int], list[int]] = defaultdict(list)
    notifications: list[Notification] = []
    for alert in claimed:
        if alert.pa_id is None:  # issue 11, item 1: an unallocated referral's Team Leaders
            recipients = leaders.get(alert.referring_team_id, [])
        else:
            recipients = [alert.pa_id, *(leaders[alert.pa_team_id] if _tells_team_leader(alert) else ())]
        recipients = list(dict.fromkeys(recipients))
        if alert.due_now != alert.due:
            outcomes[(AlertOutcome.SUPERSEDED, 0)].append(alert.pk)
        elif not recipients:
            outcomes[(AlertOutcome.NO_RECIPIENT, 0)].append(alert.pk)
        else:
            outcomes[(AlertOutcome.SENT, len(recipients))].append(alert.pk)
            message = _alert_message(alert, pack=pack)[:MESSAGE_MAX_LENGTH]
            url = f"{prefix}{alert.young_person_id}{suffix}"
            notifications.extend(
                Notification(recipient_id=r, young_person_id=alert.young_person_id, kind=f"oversight.{alert.kind}",
                             message=message, url=url) for r in recipients)
    for (outcome, count), ids in outcomes.items():
        Alert.objects.filter(pk__in=ids).update(sent_at=now, outcome=outcome, recipients=count)
    sent = sum(len(ids) for (outcome, _), ids in outcomes.items() if outcome == AlertOutcome.SENT)
    if not notifications:
        return sent, None, None
    ids = [n.pk for n in Notification.objects.bulk_create(notifications, batch_size=1000)]
    Notification.objects.filter(pk__in=ids).update(created_at=now)  # bulk_create gives each its own time
    return sent, min(ids), max(ids)


def _digests_queue(*, sent_at: dt.datetime, first: int, last: int) -> None:
    from .tasks import digests_send  # noqa: PLC0415  (the tasks module imports this one)

    digests_send.delay(sent_at.isoformat(), first, last)


#: The notifications' kinds of alerts (alerts_send), which the digests carry.
ALERT_NOTIFICATION_KINDS = tuple(f"oversight.{kind}" for kind in AlertKind.values)


def digests_send(*, sent_at: dt.datetime, first: int, last: int) -> int:
    """One e-mail per member of staff with every alert sent to them by one alerts_send (its notifications: ids
    `first` to `last`, all at `sent_at`), over one SMTP connection (issue 16). Read back from the notifications
    as rows, in the order they were written (the primary key's index: the notifications of another sender at
    the same moment have another time). Returns the e-mails sent."""
    notes = Notification.objects.filter(pk__gte=first, pk__lte=last, created_at=sent_at,
                                        kind__in=ALERT_NOTIFICATION_KINDS)
    digests: list[tuple[str, int, str]] = []  # address, alerts, their lines
    if _in_database():
        # Each member of staff's lines joined in the database, in the order written: 4 500 rows, not 60 000.
        sql, params = notes.order_by().values("id", "recipient_id", "message", "url").query.sql_with_params()
        users = get_user_model()._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COALESCE(NULLIF(s.email, ''), u.email, ''), COUNT(*),"  # noqa: S608  # nosec B608
                " string_agg('- ' || n.message || E'\\n  ' || n.url, E'\\n' ORDER BY n.id)"
                f" FROM ({sql}) n JOIN {Staff._meta.db_table} s ON s.id = n.recipient_id"
                f" LEFT JOIN {users} u ON u.id = s.user_id"
                " GROUP BY n.recipient_id, s.email, u.email ORDER BY MIN(n.id)", params)  # the ORM's query, bound
            digests = cursor.fetchall()
    else:
        by_recipient: dict[int, tuple[str, list[str]]] = {}
        for recipient, email, user_email, message, url in notes.order_by("pk").values_list(
                "recipient_id", "recipient__email", "recipient__user__email", "message", "url"):
            by_recipient.setdefault(recipient, (email or user_email or "", []))[1].append(f"- {message}\n  {url}")
        digests = [(address, len(lines), "\n".join(lines)) for address, lines in by_recipient.values()]
    messages = []
    for address, count, lines in digests:
        if not address:
            continue
        subject = f"[{settings.SERVICE_NAME}] {count} alert{'s' if count != 1 else ''} about your young people"
        body = f"{count} new alert{'s' if count != 1 else ''}, also in your notifications:\n\n{lines}"
        # The same message as EmailMessage's, its MIME parts built once for all (issue 16: oversight.mail).
        messages.append(DigestEmail(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[address]))
    if messages:
        get_connection(fail_silently=True).send_messages(messages)
    return len(messages)


# --- PA's updates on overdue items (O1, V4) ---------------------------------------------------

@transaction.atomic
def overdue_update_add(
    *, young_person: YoungPerson, requirement: str, reason: str, plan: str, actor: Staff, today: dt.date | None = None
) -> OverdueUpdate:
    """Record why an overdue item is overdue and what happens next. Earlier updates are kept."""
    today = today or timezone.localdate()
    if actor is None or not rules.has_perm("oversight.record_overdue_update", actor.user, young_person):
        raise NotAllowed("Only the young person's Personal Adviser (or a PA covering the case) records an update.")
    reason, plan = reason.strip(), plan.strip()
    if not reason or not plan:
        raise ServiceError("Give both the reason the item is overdue and what will happen next.")
    # Serialise updates on one young person so two saves cannot take the same version number.
    list(YoungPerson.objects.select_for_update().filter(pk=young_person.pk).values_list("pk"))
    item = Requirement.objects.filter(young_person=young_person, code=requirement).first()
    label = _LABELS.get(requirement, requirement)
    if item is None or item.due >= today:
        raise InvalidState(f"The {label.lower()} is not overdue, so there is no update to record.")
    previous = OverdueUpdate.objects.filter(young_person=young_person, requirement=requirement, due=item.due).aggregate(
        v=Max("version")
    )["v"] or 0
    update = OverdueUpdate.objects.create(
        young_person=young_person, requirement=requirement, due=item.due, version=previous + 1,
        reason=reason, plan=plan, author=actor, recorded_on=today,
    )
    case_note_add(
        young_person=young_person, author=actor, kind=CaseNoteKind.OVERSIGHT,
        subject=f"Update on overdue {label.lower()} (due {item.due.day} {item.due:%b %Y})",
        text=f"Why it is overdue: {reason}\n\nWhat will happen: {plan}",
    )
    audit_record(kind=AuditKind.OVERDUE_UPDATE_ADDED, actor=actor, young_person=young_person, obj=update,
                 requirement=requirement, due=item.due, version=update.version)
    return update


def overdue_items_for(*, young_person: YoungPerson, today: dt.date, requirements: list | None = None) -> list[dict]:
    """The young person's overdue items, each with its updates newest first. Two queries; one when given the young
    person's `requirements` with their status on `today` (compliance.selectors.requirements_with_status, in the
    order of due date and code: the young person's page has read them, issue 16)."""
    if requirements is None:
        items = list(Requirement.objects.filter(status_q(Status.OVERDUE, today), young_person=young_person)
                     .order_by("due", "code"))
    else:
        items = [r for r in requirements if r.status == Status.OVERDUE]
    if not items:
        return []
    updates = defaultdict(list)
    for u in OverdueUpdate.objects.filter(young_person=young_person).filter(
        Q(*[Q(requirement=i.code, due=i.due) for i in items], _connector=Q.OR)
    ).select_related("author").prefetch_related(
        Prefetch("answers", queryset=OverdueAnswer.objects.select_related("author", "note"))).order_by("-version"):
        updates[(u.requirement, u.due)].append(u)
    return [
        {"requirement": i, "label": _LABELS.get(i.code, i.code), "days_overdue": days_overdue(i.due, today),
         "updates": updates[(i.code, i.due)], "latest": next(iter(updates[(i.code, i.due)]), None)}
        for i in items
    ]


# --- issue 12 (items 1-3): management oversight (item 2) ----------------------------------------------------


@transaction.atomic
def overdue_update_answer(*, update: OverdueUpdate, actor: Staff, text: str) -> OverdueAnswer:
    """Issue 12, item 2 (O1; PCC "we can review support if needed"): a Team Leader of the young person's team, a
    Service Leader or the Head of Service answers a PA's update on an overdue item. The answer is a
    management-oversight case note on the record, and the PA who wrote the update is told."""
    young_person = update.young_person
    if actor is None or not rules.has_perm("careleavers.record_oversight", actor.user, young_person):
        raise NotAllowed("Only the young person's Team Leader, a Service Leader or the Head of Service answers an "
                         "update on an overdue item.")
    label = _LABELS.get(update.requirement, update.requirement).lower()
    _, text = check_note_text(subject="Answer", text=text)
    note = CaseNote.objects.create(
        young_person=young_person, author=actor, kind=CaseNoteKind.OVERSIGHT, text=text,
        subject=f"Oversight: answer to the update on the overdue {label} (due {update.due.day} {update.due:%b %Y})",
    )
    answer = OverdueAnswer.objects.create(update=update, note=note, author=actor)
    notify(recipients=[update.author], kind="oversight.overdue_answer", young_person=young_person,
           message=f"{actor.name} answered your update on the overdue {label} for {young_person.name}.",
           url=reverse("young_person", args=[young_person.pk]))
    audit_record(kind=AuditKind.OVERDUE_UPDATE_ANSWERED, actor=actor, young_person=young_person, obj=answer,
                 update=update.pk, requirement=update.requirement, due=update.due, note=note.pk)
    return answer


#: The actions agreed at a dashboard review: a list of actions, not a report.
REVIEW_ACTIONS_MAX_LENGTH = 5000


@transaction.atomic
def dashboard_review_record(*, actor: Staff, dashboard: str, team: Team | None, period: str, actions: str,
                            reviewed_on: dt.date | None = None) -> DashboardReview:
    """Issue 12, item 2 (O1): the weekly (Team Leaders, Service Leaders) or monthly (Head of Service) review of a
    dashboard leaves a record: who reviewed which team's dashboard (or the service's), when, and the actions
    agreed. A Team Leader reviews only their own team's."""
    reviewed_on = reviewed_on or timezone.localdate()
    if dashboard not in Dashboard.values:
        raise ServiceError("Choose the dashboard reviewed.", field="dashboard")
    if dashboard == Dashboard.TEAM and team is None:
        raise ServiceError("Choose the team whose dashboard was reviewed.", field="team")
    if dashboard != Dashboard.TEAM:
        team = None
    if actor is None or not rules.has_perm("oversight.record_dashboard_review", actor.user, team):
        raise NotAllowed("A Team Leader records reviews of their own team's dashboard; Service Leaders and the Head "
                         "of Service of any team's and of the service's.")
    if period not in ReviewPeriod.values:
        raise ServiceError("Say whether this is the weekly or the monthly review.", field="period")
    actions = (actions or "").strip()
    if not actions:
        raise ServiceError("Record the actions agreed (or that none were needed).", field="actions")
    if len(actions) > REVIEW_ACTIONS_MAX_LENGTH:
        raise ServiceError(f"The actions can be at most {REVIEW_ACTIONS_MAX_LENGTH:,} characters; these are "
                           f"{len(actions):,}.",
                           field="actions")
    review = DashboardReview.objects.create(dashboard=dashboard, team=team, period=period, reviewed_on=reviewed_on,
                                            reviewer=actor, actions=actions)
    audit_record(kind=AuditKind.DASHBOARD_REVIEWED, actor=actor, obj=review, dashboard=dashboard,
                 team=team.pk if team else None, period=period, reviewed_on=reviewed_on)
    return review
