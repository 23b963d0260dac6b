"""The nightly compliance run and the PA's overdue updates (O1).

The run is healthchecks' sendalerts in shape: claim the night in the ledger (a unique insert,
or a compare-and-swap update to take over a failed or abandoned night), then do set-based work
that reads the current data (recompute, snapshot, raise alert rows), then send the alert rows
in a separate step, claiming each with a compare-and-swap update. Because every step reads
state rather than events, a run after missed nights is as right as any other: it only records
the gap.
"""

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

import rules
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from approvals.models import Arrangement, ArrangementKind, ArrangementState
from approvals.services import arrangement_review_request
from careleavers.models import CaseNoteKind, PlannedAbsence, Staff, YoungPerson
from careleavers.selectors import team_leaders_of_teams
from careleavers.services import case_note_add, notify
from compliance.engine import recompute
from compliance.models import Basis, PolicyPack, Requirement, RequirementCode, Status
from compliance.packs import active_pack
from compliance.status import days_overdue, status_expression, status_q
from core.audit import audit_record
from core.errors import InvalidState, NotAllowed, ServiceError
from core.models import AuditKind
from pathway.models import PathwayPlan, PlanState

from .models import Alert, AlertKind, AlertOutcome, NightlyRun, OverdueUpdate, RunState, Snapshot

log = logging.getLogger(__name__)

#: A claimed night still "running" after this long was abandoned (the worker died): another run may
#: take it over. The work itself is a handful of set-based statements.
STALE_AFTER = dt.timedelta(hours=6)

_LABELS = dict(RequirementCode.choices)


@dataclass
class RunResult:
    night: dt.date
    ran: bool
    state: str
    missed_nights: list[dt.date] = field(default_factory=list)
    requirements: int = 0
    snapshot_rows: int = 0
    alerts_raised: int = 0
    alerts_sent: int = 0

    def as_dict(self) -> dict:
        return {
            "night": self.night.isoformat(), "ran": self.ran, "state": self.state,
            "missed_nights": [d.isoformat() for d in self.missed_nights], "requirements": self.requirements,
            "snapshot_rows": self.snapshot_rows, "alerts_raised": self.alerts_raised, "alerts_sent": self.alerts_sent,
        }


# --- the ledger -------------------------------------------------------------------------------

def run_claim(*, night: dt.date, worker: str = "") -> NightlyRun | None:
    """Claim the night, or return None if another run has it (done, or running and not stale).

    The unique `night` column is the lock: of two workers inserting at once, the database lets
    one through. A failed or abandoned night is taken over with a compare-and-swap update, so
    again only one worker wins.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            return NightlyRun.objects.create(night=night, worker=worker[:200], started_at=now)
    except IntegrityError:
        pass
    existing = NightlyRun.objects.filter(night=night).values("pk", "state", "started_at").first()
    if existing is None:  # pragma: no cover - the conflicting row was never deleted
        return None
    retry = existing["state"] == RunState.FAILED or (
        existing["state"] == RunState.RUNNING and existing["started_at"] < now - STALE_AFTER
    )
    if not retry:
        return None
    claimed = NightlyRun.objects.filter(
        pk=existing["pk"], state=existing["state"], started_at=existing["started_at"]
    ).update(state=RunState.RUNNING, worker=worker[:200], started_at=now, attempts=F("attempts") + 1, error="")
    return NightlyRun.objects.get(pk=existing["pk"]) if claimed == 1 else None


def missed_nights_before(night: dt.date) -> list[dt.date]:
    """Nights after the last completed run before `night` that have no completed run."""
    previous = (
        NightlyRun.objects.filter(night__lt=night, state=RunState.DONE).order_by("-night").values_list("night", flat=True).first()
    )
    if previous is None:
        return []
    return [previous + dt.timedelta(days=n) for n in range(1, (night - previous).days)]


def nightly_run(*, as_of: dt.date | None = None, worker: str = "") -> RunResult:
    """The nightly job (O1): recompute, snapshot, raise alerts, then send them. Safe to repeat."""
    today = timezone.localdate()
    night = as_of or today
    run = run_claim(night=night, worker=worker)
    if run is None:
        state = NightlyRun.objects.filter(night=night).values_list("state", flat=True).first() or ""
        log.info("Nightly run for %s skipped: already %s", night, state)
        return RunResult(night=night, ran=False, state=state)
    try:
        with transaction.atomic():
            missed = missed_nights_before(night)
            if missed:
                log.warning("Nightly run for %s: no completed run on %s", night, ", ".join(map(str, missed)))
            recompute(night)
            run.missed_nights = [d.isoformat() for d in missed]
            run.requirements = Requirement.objects.count()
            run.snapshot_rows = snapshot_take(run=run, night=night)
            run.alerts_raised = alerts_raise(run=run, night=night)
            escalation_reviews_request(run=run, night=night)
            run.state = RunState.DONE
            run.finished_at = timezone.now()
            run.save()
            # The alerts are sent after this transaction; each sent alert is its own row (Alert.sent_at).
            audit_record(kind=AuditKind.NIGHTLY_RUN, obj=run, night=night, worker=run.worker,
                         missed_nights=run.missed_nights, requirements=run.requirements,
                         snapshot_rows=run.snapshot_rows, alerts_raised=run.alerts_raised)
    except Exception as exc:
        NightlyRun.objects.filter(pk=run.pk, state=RunState.RUNNING).update(
            state=RunState.FAILED, finished_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    sent = alerts_send(today=night)
    if night != today:
        # A run for another date (catching up, or a test) leaves the stored rows as of today, which
        # is what every page and the incremental recompute assume.
        recompute(today)
    return RunResult(
        night=night, ran=True, state=run.state, missed_nights=missed, requirements=run.requirements,
        snapshot_rows=run.snapshot_rows, alerts_raised=run.alerts_raised, alerts_sent=sent,
    )


# --- snapshots --------------------------------------------------------------------------------

def snapshot_take(*, run: NightlyRun, night: dt.date) -> int:
    """One aggregate query over the stored rows, then one bulk insert of its rows."""
    counts = (
        Requirement.objects.order_by()
        .annotate(status=status_expression(night))
        .values("young_person__pa__team", "young_person__pa", "code", "status")
        .annotate(n=Count("pk"))
    )
    rows = Snapshot.objects.bulk_create(
        Snapshot(
            run=run, night=night, team_id=c["young_person__pa__team"], pa_id=c["young_person__pa"],
            requirement=c["code"], status=c["status"], count=c["n"],
        )
        for c in counts
    )
    return len(rows)


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


def _tells_team_leader(alert: Alert) -> bool:
    return ALERT_RULES[AlertKind(alert.kind)][1] or (
        alert.kind == AlertKind.DUE_SOON and alert.requirement in DUE_SOON_TOLD_TO_TEAM_LEADER
    )


def alert_candidates(*, night: dt.date) -> dict[str, list[tuple[int, str, dt.date]]]:
    """(young person, requirement, due) for each alert kind on the night; one query per kind."""
    rows = Requirement.objects.order_by()
    fields = ("young_person_id", "code", "due")
    pack = active_pack()
    submitted = PathwayPlan.objects.filter(young_person=OuterRef("young_person"), state=PlanState.SUBMITTED)
    away = PlannedAbsence.objects.filter(staff=OuterRef("young_person__pa"), start__lte=OuterRef("due"), end__gte=OuterRef("due"))
    return {
        # V2/P2: inside the stored due-soon window (14 days, 28 for a review: pack rows).
        AlertKind.DUE_SOON: list(
            rows.filter(status_q(Status.DUE_SOON, night)).exclude(basis=Basis.ESCALATION).values_list(*fields)
        ),
        # P2: the plan reaches the Team Leader plan_with_team_leader_days before the review date.
        AlertKind.PLAN_TO_TEAM_LEADER: list(
            rows.filter(
                code=RequirementCode.PATHWAY_REVIEW, due__gte=night,
                due__lte=night + dt.timedelta(days=pack.plan_with_team_leader_days),
            ).filter(~Exists(submitted)).values_list(*fields)
        ),
        # V4: overdue once the night is after the due date.
        AlertKind.OVERDUE: list(rows.filter(status_q(Status.OVERDUE, night)).values_list(*fields)),
        # V5: a due date still to come that falls inside the PA's planned absence.
        AlertKind.ABSENCE_CLASH: list(rows.filter(due__gte=night).filter(Exists(away)).values_list(*fields)),
        # E3: unanswered contacts made a visit due at once.
        AlertKind.ESCALATION_DUE: list(rows.filter(basis=Basis.ESCALATION, due__lte=night).values_list(*fields)),
    }


def alerts_raise(*, run: NightlyRun | None, night: dt.date) -> int:
    """Insert the night's alert rows; the unique key drops any raised before. Returns new rows."""
    alerts = []
    for kind, rows in alert_candidates(night=night).items():
        rule = ALERT_RULES[kind][0]
        for young_person_id, code, due in rows:
            alert_rule = "P2" if kind == AlertKind.DUE_SOON and code == RequirementCode.PATHWAY_REVIEW else rule
            alerts.append(Alert(
                young_person_id=young_person_id, requirement=code, kind=kind, due=due, rule=alert_rule,
                raised_on=night, run=run,
            ))
    Alert.objects.bulk_create(alerts, ignore_conflicts=True, batch_size=500)
    if run is None:
        return len(alerts)
    return Alert.objects.filter(run=run).count()


def escalation_reviews_request(*, run: NightlyRun, night: dt.date) -> int:
    """E3: when the escalated visit becomes due (an ESCALATION_DUE alert raised tonight), the active
    reduced-visits arrangement is put up for review: the young person agreed to respond (R2). The Team
    Leader is told by the alert and by the review. Returns the arrangements put up for review."""
    young_people = Alert.objects.filter(run=run, kind=AlertKind.ESCALATION_DUE).values("young_person")
    arrangements = Arrangement.objects.filter(
        young_person__in=young_people, kind=ArrangementKind.REDUCED_VISITS, state=ArrangementState.ACTIVE,
    ).select_related("young_person")
    pack = active_pack()
    count = 0
    for arrangement in arrangements:
        arrangement_review_request(
            arrangement=arrangement, actor=None, today=night,
            reason=(f"E3: {arrangement.young_person.name} has not responded to {pack.escalation_attempts} contacts in a "
                    f"row, so a visit is due at once; under reduced visits they agreed to respond (R2)."),
        )
        count += 1
    return count


def _alert_message(alert: Alert, *, pack: PolicyPack) -> str:
    yp = alert.young_person
    label = _LABELS.get(alert.requirement, alert.requirement)
    who = f"{yp.name} ({yp.ref})"
    due = f"{alert.due.day} {alert.due:%b %Y}"
    if alert.kind == AlertKind.DUE_SOON:
        return f"{label} for {who} is due on {due} ({alert.rule})."
    if alert.kind == AlertKind.PLAN_TO_TEAM_LEADER:
        by = alert.due - dt.timedelta(days=pack.plan_with_team_leader_days)
        return f"Pathway plan for {who} should be with the Team Leader by {by.day} {by:%b %Y}: review due {due} (P2)."
    if alert.kind == AlertKind.OVERDUE:
        return f"{label} for {who} was due on {due} and is overdue (V4). Please record an update on the overdue item."
    if alert.kind == AlertKind.ABSENCE_CLASH:
        return f"{label} for {who} is due on {due}, during the Personal Adviser's planned absence: bring it forward (V5)."
    return f"{who} has not responded to {pack.escalation_attempts} contacts in a row: a visit was due on {due} (E3)."


def alerts_send(*, today: dt.date | None = None) -> int:
    """Send every alert not yet sent; each is claimed with a compare-and-swap, so it goes once.

    An alert whose requirement has moved on since it was raised (met, or a new due date) is
    closed without sending.
    """
    pending = list(
        Alert.objects.filter(sent_at__isnull=True).select_related("young_person", "young_person__pa").order_by("pk")
    )
    if not pending:
        return 0
    current = {
        (yp, code): due
        for yp, code, due in Requirement.objects.filter(
            young_person__in=Alert.objects.filter(sent_at__isnull=True).values("young_person")
        ).values_list("young_person_id", "code", "due")
    }
    team_ids = {a.young_person.pa.team_id for a in pending if a.young_person.pa is not None}
    leaders = defaultdict(list)
    for leader in team_leaders_of_teams(team_ids):
        leaders[leader.team_id].append(leader)
    pack = active_pack()
    sent = 0
    for alert in pending:
        pa = alert.young_person.pa
        recipients = [] if pa is None else [pa] + (leaders[pa.team_id] if _tells_team_leader(alert) else [])
        if current.get((alert.young_person_id, alert.requirement)) != alert.due:
            outcome = AlertOutcome.SUPERSEDED
        elif not recipients:
            outcome = AlertOutcome.NO_RECIPIENT
        else:
            outcome = AlertOutcome.SENT
        with transaction.atomic():
            claimed = Alert.objects.filter(pk=alert.pk, sent_at__isnull=True).update(
                sent_at=timezone.now(), outcome=outcome, recipients=len(recipients) if outcome == AlertOutcome.SENT else 0
            )
            if claimed != 1:
                continue  # another sender has it
            if outcome == AlertOutcome.SENT:
                notify(
                    recipients=recipients, kind=f"oversight.{alert.kind}", message=_alert_message(alert, pack=pack),
                    url=reverse("young_person", args=[alert.young_person_id]), young_person=alert.young_person,
                )
                sent += 1
    return sent


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


def overdue_items_for(*, young_person: YoungPerson, today: dt.date) -> list[dict]:
    """The young person's overdue items, each with its updates newest first. Two queries."""
    items = list(Requirement.objects.filter(status_q(Status.OVERDUE, today), young_person=young_person).order_by("due", "code"))
    if not items:
        return []
    updates = defaultdict(list)
    for u in OverdueUpdate.objects.filter(young_person=young_person).filter(
        Q(*[Q(requirement=i.code, due=i.due) for i in items], _connector=Q.OR)
    ).select_related("author").order_by("-version"):
        updates[(u.requirement, u.due)].append(u)
    return [
        {"requirement": i, "label": _LABELS.get(i.code, i.code), "days_overdue": days_overdue(i.due, today),
         "updates": updates[(i.code, i.due)], "latest": next(iter(updates[(i.code, i.due)]), None)}
        for i in items
    ]
