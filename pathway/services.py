"""Pathway plan writes: the P3 life-cycle, one service per transition (STYLE 2).

draft (PA) -> submitted -> signed off (Team Leader), or returned with comments -> submitted again.
A signed-off plan is never edited; the next review is a new version, prefilled from the last (P3).
Which step applies in which state, and who may take it, is one table (pathway.transitions) over the
permissions of core.rules (only the team's Team Leader decides, never whoever wrote any part of the
version or submitted it, whatever their role now: PathwayPlan.editors, writer_ids). Each step appends a
PlanDecision row (O2), a case note and its audit event in the same transaction.
"""

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from approvals.models import PENDING_STATES, Arrangement, ArrangementKind, ArrangementState
from approvals.services import arrangement_approve, arrangement_request
from careleavers.models import CaseNoteKind, Staff, YoungPerson
from careleavers.selectors import team_leaders_of
from careleavers.services import case_note_add, notify
from compliance.checkpoints import caseload_orders_lock
from compliance.engine import recompute_young_person
from compliance.models import Requirement, RequirementCode
from compliance.packs import active_pack
from core.audit import audit_record
from core.dates import british
from core.errors import InvalidState, ServiceError, StaleVersion
from core.models import AuditKind
from core.transitions import lock, require

from .models import (
    CLOSED_ACTION_STATUSES,
    PLAN_SECTIONS,
    STEP_BACK_SECTIONS,
    ActionStatus,
    Dimension,
    PathwayPlan,
    PlanAction,
    PlanActionItem,
    PlanDecision,
    PlanKind,
    PlanState,
    SharedHow,
)
from .selectors import visit_before_review
from .structure import PATTERN, contact_refusal, editable_fields, label
from .transitions import PLAN_TRANSITIONS

#: The brief plan of a different-needs arrangement (D3).
BRIEF_SECTIONS = ("young_persons_voice", "health", "accommodation", "relationships", "contact_arrangements")

#: Sections that must be written before a plan goes to the Team Leader (P5, S4).
REQUIRED_ON_SUBMIT: dict[str, tuple[str, ...]] = {
    PlanKind.STANDARD: ("young_persons_voice", "contact_arrangements"),
    PlanKind.STEP_BACK: ("young_persons_voice", "contact_arrangements", *STEP_BACK_SECTIONS),
    PlanKind.DIFFERENT_NEEDS: ("young_persons_voice", "contact_arrangements"),
}

#: Plan kind that follows from the young person's active arrangement (P5, S4, D3).
KIND_FOR_ARRANGEMENT: dict[str, str] = {
    ArrangementKind.STEP_BACK: PlanKind.STEP_BACK,
    ArrangementKind.DIFFERENT_NEEDS: PlanKind.DIFFERENT_NEEDS,
}

#: What the next version carries from the last signed-off one (P3; issue 13: the structure too, never R3's
#: reasons for a request, which belong to the version that carried it).
CONTENT_FIELDS = (*PLAN_SECTIONS, *STEP_BACK_SECTIONS, *(f for f in editable_fields(PlanKind.STEP_BACK)
                                                       if f not in (*PLAN_SECTIONS, *STEP_BACK_SECTIONS, "participation")))

#: issue 13: besides the sections, a plan goes to the Team Leader with these written (P5).
REQUIRED_STRUCTURE = ("pa", "participation", "contingency_plan", "contact_method", "contact_every_weeks")


def sections_for(kind: str, *, carries_request: bool = False) -> tuple[str, ...]:
    """The fields a plan of this kind holds (issue 13, item 1): the step-back plan adds S4, the different-needs
    plan is brief (D3), a plan carrying a reduced-visits request adds R3."""
    return editable_fields(kind, carries_request=carries_request)


def _carries_request(plan: PathwayPlan) -> bool:
    return plan.arrangement is not None and plan.arrangement.approved_by_plan_sign_off


def _pending_request(plan: PathwayPlan) -> Arrangement | None:
    """The reduced-visits request this version carries while it waits for a decision (R3, R4)."""
    arrangement = plan.arrangement
    if arrangement is None or not arrangement.approved_by_plan_sign_off:
        return None
    return arrangement if arrangement.state in PENDING_STATES else None


def _lock(plan: PathwayPlan) -> PathwayPlan:
    return lock(plan, "young_person__pa__team")


def _plan_url(plan: PathwayPlan) -> str:
    return reverse("pathway:detail", args=[plan.pk])


def _audit(kind: str, plan: PathwayPlan, *, actor: Staff, state_from: str, **data) -> None:
    audit_record(kind=kind, actor=actor, young_person=plan.young_person, obj=plan, version=plan.version,
                 plan_kind=plan.kind, state_from=state_from, state_to=plan.state, **data)


@transaction.atomic
def plan_start(*, young_person: YoungPerson, actor: Staff, kind: str | None = None) -> PathwayPlan:
    """Open the next version for review, prefilled from the last signed-off version (P3).

    The kind follows the young person's active arrangement unless given: a step-back plan shows
    the S4 content, a different-needs plan is the brief plan of D3.
    """
    young_person = lock(young_person, "pa__team")
    require("pathway.start_plan", user=actor.user, obj=young_person)
    if young_person.plans.filter(state__in=(PlanState.DRAFT, PlanState.SUBMITTED, PlanState.RETURNED)).exists():
        raise InvalidState("A plan is already open for this young person: finish that version first.")
    if kind is None:
        active = Arrangement.objects.filter(young_person=young_person, state=ArrangementState.ACTIVE).first()
        kind = KIND_FOR_ARRANGEMENT.get(active.kind, PlanKind.STANDARD) if active else PlanKind.STANDARD
    if kind not in PlanKind.values:
        raise ServiceError("Unknown kind of plan.")
    last = young_person.plans.order_by("-version").first()
    last_signed = young_person.plans.filter(state=PlanState.SIGNED_OFF, imported=False).order_by("-version").first()
    prefill = {field: getattr(last_signed, field) for field in CONTENT_FIELDS} if last_signed else {}
    active = Arrangement.objects.filter(young_person=young_person, state=ArrangementState.ACTIVE).first()
    plan = PathwayPlan.objects.create(
        young_person=young_person, version=(last.version if last else 0) + 1, kind=kind,
        state=PlanState.DRAFT, created_by=actor, **prefill,
        # S4, D3: a step-back or brief plan is linked to the arrangement it is written for.
        arrangement=active if active and KIND_FOR_ARRANGEMENT.get(active.kind) == kind else None,
    )
    plan.pa = young_person.pa or plan.pa
    # Contact arrangements change with the arrangement (issue 13, item 1): a carried pattern the arrangement in
    # force contradicts starts again from what that arrangement asks for.
    changed_contact = contact_refusal(plan, method=plan.contact_method, every_weeks=plan.contact_every_weeks)
    if changed_contact:
        plan.contact_method = PATTERN[active.kind if active else ArrangementKind.STANDARD][0]
        plan.contact_every_weeks = None
    plan.save()
    plan.editors.add(actor)
    carried = _carry_open_actions(last_signed, plan) if last_signed else 0
    _audit(AuditKind.PLAN_STARTED, plan, actor=actor, state_from="",
           prefilled_from=last_signed.version if last_signed else None, actions_carried=carried,
           contact_reset=changed_contact[1] if changed_contact else "")
    return plan


def _carry_open_actions(previous: PathwayPlan, plan: PathwayPlan) -> int:
    """Issue 13, item 2: the open actions of the last signed-off version come into the next, until done."""
    carried = [
        PlanActionItem(plan=plan, position=a.position, dimension=a.dimension, what=a.what, who=a.who,
                       by_when=a.by_when, status=a.status, carried_from=a)
        for a in previous.actions.exclude(status__in=CLOSED_ACTION_STATUSES).order_by("position", "id")
    ]
    for action in carried:  # one by one, so each has its history (django-simple-history)
        action.save()
    return len(carried)


@transaction.atomic
def plan_update(*, plan: PathwayPlan, actor: Staff, content: dict, actions: list[dict] | None = None,
                read_at: dt.datetime | None = None) -> PathwayPlan:
    """Save the draft (P5: the needs by dimension, the young person's words and views, the contingency plan,
    contact arrangements, entitlements, participation; S4; R3); come back to it later.

    `actions` (issue 13): rows of what, who, by when and status; a row with an `id` updates that action of
    this version, one without adds an action. Actions are never deleted: one no longer needed says so.
    Contact arrangements that contradict the arrangement in force are refused with why (V1, R6, S5, D3).

    `read_at` is the version the edit form was read at (the plan's `updated_at` then): when someone
    has saved the plan since, nothing is written and the refusal says who changed which sections.
    """
    plan = _lock(plan)
    PLAN_TRANSITIONS.check(plan, "edit", user=actor.user)
    if read_at is not None and plan.updated_at != read_at:
        raise _stale(plan, read_at)
    unknown = set(content) - set(sections_for(plan.kind, carries_request=_carries_request(plan)))
    if unknown:
        raise ServiceError(f"This plan has no section {', '.join(sorted(unknown))}.")
    refusal = contact_refusal(plan, method=content.get("contact_method", plan.contact_method),
                              every_weeks=content.get("contact_every_weeks", plan.contact_every_weeks))
    if refusal:
        raise ServiceError(refusal[1], field=refusal[0])
    changed = sorted(field for field, value in content.items() if getattr(plan, field) != value)
    for field, value in content.items():
        setattr(plan, field, value)
    plan.save()
    changed += _save_actions(plan, actions or [])
    if changed:  # issue 14: whoever wrote any part of this version never signs it off
        plan.editors.add(actor)
    _audit(AuditKind.PLAN_UPDATED, plan, actor=actor, state_from=plan.state, sections_changed=changed)
    return plan


ACTION_FIELDS = ("dimension", "what", "who", "by_when", "status")


def _save_actions(plan: PathwayPlan, rows: list[dict]) -> list[str]:
    """Issue 13, item 1: each action says what, who and by when; returns what changed, for the audit."""
    existing = {a.pk: a for a in plan.actions.all()}
    changed = []
    for number, row in enumerate(rows, start=1):
        what, who = str(row.get("what", "")).strip(), str(row.get("who", "")).strip()
        if not what or not who:
            raise ServiceError(f"Action {number}: say what will be done and who will do it.", field="actions")
        if row.get("status", ActionStatus.NOT_STARTED) not in ActionStatus.values:
            raise ServiceError(f"Action {number}: choose a status.", field="actions")
        if row.get("dimension") and row["dimension"] not in Dimension.values:
            raise ServiceError(f"Action {number}: choose a need from the list.", field="actions")
        values = {"dimension": row.get("dimension") or "", "what": what, "who": who, "by_when": row.get("by_when"),
                  "status": row.get("status") or ActionStatus.NOT_STARTED}
        action = existing.get(row["id"]) if row.get("id") else None
        if row.get("id") and action is None:
            raise ServiceError(f"Action {number} is not part of this version: open the plan again.", field="actions")
        if action is None:
            PlanActionItem.objects.create(plan=plan, position=len(existing) + number, **values)
            changed.append("actions")
        elif any(getattr(action, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(action, k, v)
            action.save()
            changed.append("actions")
    return sorted(set(changed))


#: How much of a section's current text a stale-edit refusal quotes.
QUOTED = 300


def version_token(plan: PathwayPlan) -> str:
    """The version an edit form is read at (its hidden `read_at`)."""
    return plan.updated_at.isoformat()


def _stale(plan: PathwayPlan, read_at: dt.datetime) -> StaleVersion:
    """Who saved the plan after `read_at`, and what each changed section reads now (from its history)."""
    then = plan.history.filter(updated_at=read_at).order_by("-history_id").first()
    later = list(plan.history.filter(updated_at__gt=read_at).order_by("history_date"))
    names = sorted(set(Staff.objects.filter(user_id__in={h.history_user_id for h in later if h.history_user_id})
                       .values_list("name", flat=True)))
    who = " and ".join(names) or "Someone else"
    when = timezone.localtime(plan.updated_at)
    names = [n + "_id" if n == "pa" else n for n in sections_for(plan.kind, carries_request=True)]
    changed = [] if then is None else [name for name in names if getattr(then, name) != getattr(plan, name)]
    reasons = [f"{label(name.removesuffix('_id'))} now reads: “{_quote(_text(plan, name))}”" for name in changed]
    lead = (f"{who} saved this plan at {when:%H:%M} on {british(when.date())}, after you opened it, so your changes "
            "were not saved. Your text is still in the form; compare it with theirs and save again")
    return StaleVersion(current=version_token(plan), lead=lead, reasons=reasons or [
        "The sections read the same, but the plan was saved: save again to keep your text"])


def _text(plan: PathwayPlan, attname: str) -> str:
    name = attname.removesuffix("_id")
    if name == "pa":
        return plan.pa.name if plan.pa else ""
    display = getattr(plan, f"get_{name}_display", None)
    value = display() if display else getattr(plan, name)
    return "" if value is None else (british(value) if isinstance(value, dt.date) else str(value))


def _quote(text: str) -> str:
    text = " ".join(text.split()) or "(empty)"
    return text if len(text) <= QUOTED else text[:QUOTED] + "…"


def _review_due(young_person: YoungPerson) -> dt.date | None:
    """P2: the due date is the young person's stored pathway_review requirement row."""
    return (
        Requirement.objects.filter(young_person=young_person, code=RequirementCode.PATHWAY_REVIEW)
        .values_list("due", flat=True)
        .first()
    )


def _check_complete(plan: PathwayPlan) -> None:
    """What a plan holds before it reaches the Team Leader (P5, S4; issue 13: the structure; R3 for a plan
    carrying a request), and contact arrangements that agree with the arrangement in force."""
    required = [*REQUIRED_ON_SUBMIT[plan.kind], *REQUIRED_STRUCTURE]
    if _carries_request(plan):
        required += ["arrangement_reasons", "arrangement_assessment"]
    missing = [label(f).lower() for f in required if getattr(plan, f) in (None, "") or
               (isinstance(getattr(plan, f), str) and not getattr(plan, f).strip())]
    if missing:
        raise ServiceError(f"Write these sections before submitting: {', '.join(missing)}.")
    refusal = contact_refusal(plan, method=plan.contact_method, every_weeks=plan.contact_every_weeks)
    if refusal:
        raise ServiceError(refusal[1], field=refusal[0])


def plan_with_team_leader_days() -> int:
    """P2: how many days before the review due date the plan must reach the Team Leader (active pack)."""
    return active_pack().plan_with_team_leader_days


@transaction.atomic
def plan_submit(*, plan: PathwayPlan, actor: Staff, today: dt.date | None = None) -> PathwayPlan:
    """Send the plan to the Team Leader for quality assurance and sign-off (P2, P3).

    The lateness flag (P2) is set when the plan first reaches the Team Leader: later than the
    pack's `plan_with_team_leader_days` before the stored pathway_review due date. A resubmission
    after a return keeps the first submission's flag and due date.
    """
    today = today or timezone.localdate()
    plan = _lock(plan)
    transition = PLAN_TRANSITIONS.check(plan, "submit", user=actor.user)
    young_person = plan.young_person
    _check_complete(plan)
    if plan.submitted_at is None:
        plan.review_due = _review_due(young_person)
        if plan.review_due is not None:
            plan.late_to_team_leader = today > plan.review_due - dt.timedelta(days=plan_with_team_leader_days())
    state_from = plan.state
    plan.state = transition.next_state(plan)
    plan.submitted_at = timezone.now()
    plan.save()
    PlanDecision.objects.create(plan=plan, action=PlanAction.SUBMITTED, actor=actor)
    _audit(AuditKind.PLAN_SUBMITTED, plan, actor=actor, state_from=state_from, review_due=plan.review_due,
           late_to_team_leader=plan.late_to_team_leader)
    late = " It reached the Team Leader late." if plan.late_to_team_leader else ""  # P2
    case_note_add(young_person=young_person, author=actor, kind=CaseNoteKind.PLAN,
                  subject=f"Pathway plan v{plan.version} submitted for sign-off",
                  text=f"{actor.name} submitted the plan to the Team Leader.{late}")
    notify(recipients=list(team_leaders_of(young_person)), kind="plan_submitted", url=_plan_url(plan), young_person=young_person,
           message=f"Pathway plan v{plan.version} for {young_person.name} is waiting for your sign-off.{late}")
    return plan


@transaction.atomic
def plan_return(*, plan: PathwayPlan, actor: Staff, comments: str) -> PathwayPlan:
    """The Team Leader sends the plan back to the PA with comments (P3)."""
    plan = _lock(plan)
    transition = PLAN_TRANSITIONS.check(plan, "return", user=actor.user)
    if not comments.strip():
        raise ServiceError("Say what needs to change: comments are required when returning a plan.", field="comments")
    submitter = plan.submitted_by
    state_from = plan.state
    plan.state = transition.next_state(plan)
    plan.save()
    PlanDecision.objects.create(plan=plan, action=PlanAction.RETURNED, actor=actor, comments=comments)
    _audit(AuditKind.PLAN_RETURNED, plan, actor=actor, state_from=state_from, comments=comments)
    case_note_add(young_person=plan.young_person, author=actor, kind=CaseNoteKind.PLAN,
                  subject=f"Pathway plan v{plan.version} returned with comments", text=comments)
    notify(recipients=[submitter], kind="plan_returned", url=_plan_url(plan), young_person=plan.young_person,
           message=f"{actor.name} returned pathway plan v{plan.version} for {plan.young_person.name} with comments.")
    return plan


@transaction.atomic
def plan_sign_off(*, plan: PathwayPlan, actor: Staff, comments: str = "", no_visit_reason: str = "",
                  today: dt.date | None = None) -> PathwayPlan:
    """The Team Leader signs off: the plan becomes read-only and its sign-off date is the review
    date (P3), which moves the stored pathway_review requirement (recomputed here, P1).

    reg 8(2)(b): the PA visits before each review, so a plan is signed off only when a visit was made
    since the previous signed-off review, or with the Team Leader's reason why not (`no_visit_reason`).

    Issue 13, item 3 (R3, R4): when the version carries a reduced-visits request still waiting for the Team
    Leader, this sign-off *is* their approval: one act in this one transaction (approvals'
    arrangement_approve, which alerts the Service Leader), one case note with the rationale (`comments`,
    then required). Refused, with nothing changed, when the plan is not ready (R3 content, contact
    arrangements that agree with the request) or the request cannot be approved (R1)."""
    caseload_orders_lock()  # issue 16: before any row lock
    today = today or timezone.localdate()
    plan = _lock(plan)
    transition = PLAN_TRANSITIONS.check(plan, "sign_off", user=actor.user)
    young_person = plan.young_person
    request = _pending_request(plan)
    comments = (comments or "").strip()
    if request is not None and request.state == ArrangementState.REQUESTED:
        if not comments:
            raise ServiceError("Give the rationale for approving reduced visits: signing off this plan approves the "
                               "request, and the rationale is the case note.", field="comments")  # R4
    _check_complete(plan)
    visit = visit_before_review(plan, today=today)
    no_visit_reason = (no_visit_reason or "").strip()
    if not visit.made and not no_visit_reason:
        since = f"since the previous review on {british(visit.previous_review)}" if visit.previous_review else "yet"
        raise ServiceError(f"No visit to {young_person.name} is recorded {since}: record the visit first, or say why "
                           "the plan is signed off without one (reg 8(2)(b)).", field="no_visit_reason")
    approved = ""
    if request is not None and request.state == ArrangementState.REQUESTED:
        arrangement_approve(arrangement=request, actor=actor, rationale=comments, today=today,
                            with_plan=f"pathway plan v{plan.version}")
        approved = ("Reduced visits approved by the Team Leader with this sign-off; the Service Leader "  # R3, R4
                    "has been alerted and reduced visits start once they agree.")  # R5
    submitter = plan.submitted_by
    state_from = plan.state
    plan.state = transition.next_state(plan)
    plan.signed_off_at = timezone.now()
    plan.signed_off_by = actor
    plan.review_date = today
    plan.visit_before_review_on = visit.last_visit
    plan.no_visit_reason = "" if visit.made else no_visit_reason
    # P4 (issue 13, item 4): shared with the young person within the pack's days, or the PA hears of it.
    plan.share_by = None if plan.shared_with_young_person_on else today + dt.timedelta(
        days=active_pack().plan_shared_within_days)
    plan.save()
    # An earlier version a later sign-off replaces is no longer the one to share.
    PathwayPlan.objects.filter(young_person_id=plan.young_person_id, version__lt=plan.version,
                               share_by__isnull=False).update(share_by=None)
    PlanDecision.objects.create(plan=plan, action=PlanAction.SIGNED_OFF, actor=actor, comments=comments)
    _audit(AuditKind.PLAN_SIGNED_OFF, plan, actor=actor, state_from=state_from, review_date=today, comments=comments,
           visit_before_review_on=plan.visit_before_review_on, no_visit_reason=plan.no_visit_reason,
           arrangement_approved=request.pk if approved and request else None)
    visit_line = (f"Visit before the review: {british(visit.last_visit)}." if visit.last_visit
                  else f"No visit since the previous review (reg 8(2)(b)): {plan.no_visit_reason}")
    subject = f"Pathway plan v{plan.version} signed off" + (" and reduced visits approved" if approved else "")
    lead = f"Rationale: {comments}" if approved else comments or f"Signed off by {actor.name}; review date {british(today)}."
    case_note_add(young_person=young_person, author=actor, kind=CaseNoteKind.PLAN, subject=subject,
                  text="\n".join(line for line in [lead, approved, visit_line] if line))
    recompute_young_person(plan.young_person)
    notify(recipients=[submitter], kind="plan_signed_off", url=_plan_url(plan), young_person=plan.young_person,
           message=f"{actor.name} signed off pathway plan v{plan.version} for {plan.young_person.name}.")
    return plan


@transaction.atomic
def plan_record_shared(*, plan: PathwayPlan, actor: Staff, shared_on: dt.date, how: str = "",
                       today: dt.date | None = None) -> PathwayPlan:
    """P4: when and how the plan was shared with the young person. The date is a fact about the plan,
    not its content, so it may be recorded on a signed-off plan too; each recording is a row."""
    today = today or timezone.localdate()
    plan = _lock(plan)
    PLAN_TRANSITIONS.check(plan, "record_shared", user=actor.user)
    if shared_on > today:
        raise ServiceError("The date the plan was shared cannot be in the future.", field="shared_on")
    if how and how not in SharedHow.values:
        raise ServiceError("Choose how the plan was shared.", field="how")
    plan.shared_with_young_person_on = shared_on
    plan.shared_how = how
    plan.share_by = None
    plan.save()
    how_text = f" ({SharedHow(how).label.lower()})" if how else ""
    PlanDecision.objects.create(plan=plan, action=PlanAction.SHARED, actor=actor,
                                comments=f"Shared on {british(shared_on)}{how_text}")
    _audit(AuditKind.PLAN_SHARED, plan, actor=actor, state_from=plan.state, shared_on=shared_on, how=how)
    case_note_add(young_person=plan.young_person, author=actor, kind=CaseNoteKind.PLAN,
                  subject=f"Pathway plan v{plan.version} shared with the young person",
                  text=f"Shared with {plan.young_person.name} on {british(shared_on)}{how_text}.")
    return plan


# --- issue 13, item 3: a reduced-visits request made on a plan version (R3, R4) -------------------------

@transaction.atomic
def plan_arrangement_request(*, plan: PathwayPlan, actor: Staff, details: dict, keeping_in_touch: str,
                             today: dt.date | None = None) -> PathwayPlan:
    """R3: the PA asks for reduced visits on the plan version being written, which then holds the young
    person's reasons, the PA's assessment and the keeping-in-touch frequency and method; the Team Leader's
    sign-off of that version is their approval (plan_sign_off). The request itself is approvals'
    arrangement_request (R1, R2 checked there), in this transaction."""
    today = today or timezone.localdate()
    plan = _lock(plan)
    PLAN_TRANSITIONS.check(plan, "edit", user=actor.user)
    if plan.kind != PlanKind.STANDARD:
        raise InvalidState("Reduced visits are asked for on a standard pathway plan.")
    if plan.arrangement is not None and str(plan.arrangement.state) in PENDING_STATES:
        raise InvalidState("This plan already carries a request waiting for a decision.")
    arrangement = arrangement_request(young_person=plan.young_person, kind=ArrangementKind.REDUCED_VISITS,
                                      details=details, keeping_in_touch=keeping_in_touch, actor=actor, today=today,
                                      on_plan=True)
    plan.arrangement = arrangement
    plan.arrangement_reasons = plan.arrangement_reasons or str(details.get("wish_and_reasons", ""))
    plan.save()
    plan.editors.add(actor)
    _audit(AuditKind.PLAN_ARRANGEMENT_REQUESTED, plan, actor=actor, state_from=plan.state, arrangement_id=arrangement.pk)
    return plan


def plan_carrying(arrangement: Arrangement) -> PathwayPlan | None:
    """The plan version a request was made on (issue 13, item 3), or None."""
    return PathwayPlan.objects.filter(arrangement=arrangement).order_by("-version").first()


@transaction.atomic
def arrangement_approve_on_plan(*, arrangement: Arrangement, actor: Staff, rationale: str, no_visit_reason: str = "",
                                today: dt.date | None = None) -> PathwayPlan:
    """The approvals decision page's approval of a request made on a plan: the sign-off of that version (R4)."""
    caseload_orders_lock()  # issue 16: before any row lock
    plan = plan_carrying(arrangement)
    if plan is None or not arrangement.approved_by_plan_sign_off:
        raise InvalidState("This request was not made on a pathway plan: approve it on its own page.")
    return plan_sign_off(plan=plan, actor=actor, comments=rationale, no_visit_reason=no_visit_reason, today=today)


# --- issue 13, item 4: a signed-off plan not shared in time (P4) ---------------------------------------

def plans_unshared(*, today: dt.date):
    """Signed-off versions past their share-by date and not yet shared (the stored date: one indexed query)."""
    return PathwayPlan.objects.filter(state=PlanState.SIGNED_OFF, share_by__lt=today,
                                      shared_with_young_person_on__isnull=True, imported=False)


@transaction.atomic
def plans_unshared_notify(*, today: dt.date | None = None) -> int:
    """The nightly run tells each PA, once per plan, of a signed-off plan not shared with the young person
    within the pack's plan_shared_within_days (P4). Returns how many were told."""
    today = today or timezone.localdate()
    told = 0
    for plan in plans_unshared(today=today).filter(unshared_reminder_on__isnull=True).select_related(
            "young_person__pa", "pa").order_by("pk").select_for_update(of=("self",)):
        recipient = plan.young_person.pa or plan.pa
        plan.unshared_reminder_on = today
        plan.save(update_fields=["unshared_reminder_on"])
        if recipient is None:
            continue
        notify(recipients=[recipient], kind="plan_not_shared", url=_plan_url(plan), young_person=plan.young_person,
               message=f"Pathway plan v{plan.version} for {plan.young_person.name} was signed off on "
                       f"{british(plan.review_date)} and is not yet shared with them: share it and record how.")  # P4
        audit_record(kind=AuditKind.PLAN_UNSHARED_REMINDED, actor=None, young_person=plan.young_person, obj=plan,
                     version=plan.version, share_by=plan.share_by)
        told += 1
    return told
