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

from approvals.models import Arrangement, ArrangementKind, ArrangementState
from careleavers.models import CaseNoteKind, Staff, YoungPerson
from careleavers.selectors import team_leaders_of
from careleavers.services import case_note_add, notify
from compliance.engine import recompute_young_person
from compliance.models import Requirement, RequirementCode
from compliance.packs import active_pack
from core.audit import audit_record
from core.dates import british
from core.errors import InvalidState, ServiceError, StaleVersion
from core.models import AuditKind
from core.transitions import lock, require

from .models import (
    PLAN_SECTIONS,
    STEP_BACK_SECTIONS,
    PathwayPlan,
    PlanAction,
    PlanDecision,
    PlanKind,
    PlanState,
)
from .selectors import visit_before_review
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

CONTENT_FIELDS = PLAN_SECTIONS + STEP_BACK_SECTIONS


def sections_for(kind: str) -> tuple[str, ...]:
    """The sections a plan of this kind shows: the step-back plan adds S4, the different-needs plan is brief (D3)."""
    if kind == PlanKind.STEP_BACK:
        return PLAN_SECTIONS + STEP_BACK_SECTIONS
    if kind == PlanKind.DIFFERENT_NEEDS:
        return BRIEF_SECTIONS
    return PLAN_SECTIONS


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
    plan = PathwayPlan.objects.create(
        young_person=young_person, version=(last.version if last else 0) + 1, kind=kind,
        state=PlanState.DRAFT, created_by=actor, **prefill,
    )
    plan.editors.add(actor)
    _audit(AuditKind.PLAN_STARTED, plan, actor=actor, state_from="",
           prefilled_from=last_signed.version if last_signed else None)
    return plan


@transaction.atomic
def plan_update(*, plan: PathwayPlan, actor: Staff, content: dict[str, str],
                read_at: dt.datetime | None = None) -> PathwayPlan:
    """Save the draft (P5 sections, the young person's voice); come back to it later.

    `read_at` is the version the edit form was read at (the plan's `updated_at` then): when someone
    has saved the plan since, nothing is written and the refusal says who changed which sections.
    """
    plan = _lock(plan)
    PLAN_TRANSITIONS.check(plan, "edit", user=actor.user)
    if read_at is not None and plan.updated_at != read_at:
        raise _stale(plan, read_at)
    unknown = set(content) - set(sections_for(plan.kind))
    if unknown:
        raise ServiceError(f"This plan has no section {', '.join(sorted(unknown))}.")
    changed = sorted(field for field, value in content.items() if getattr(plan, field) != value)
    for field, value in content.items():
        setattr(plan, field, value)
    plan.save()
    if changed:  # issue 14: whoever wrote any part of this version never signs it off
        plan.editors.add(actor)
    _audit(AuditKind.PLAN_UPDATED, plan, actor=actor, state_from=plan.state, sections_changed=changed)
    return plan


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
    changed = [] if then is None else [name for name in sections_for(plan.kind) if getattr(then, name) != getattr(plan, name)]
    labels = {name: str(getattr(PathwayPlan._meta.get_field(name), "verbose_name", name)) for name in changed}
    reasons = [f"{labels[name][:1].upper()}{labels[name][1:]} now reads: “{_quote(getattr(plan, name))}”" for name in changed]
    lead = (f"{who} saved this plan at {when:%H:%M} on {british(when.date())}, after you opened it, so your changes "
            "were not saved. Your text is still in the form; compare it with theirs and save again")
    return StaleVersion(current=version_token(plan), lead=lead, reasons=reasons or [
        "The sections read the same, but the plan was saved: save again to keep your text"])


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
    missing = [str(getattr(PathwayPlan._meta.get_field(f), "verbose_name", f))
               for f in REQUIRED_ON_SUBMIT[plan.kind] if not getattr(plan, f).strip()]
    if missing:
        raise ServiceError(f"Write these sections before submitting: {', '.join(missing)}.")
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
    late = " It reached the Team Leader late (P2)." if plan.late_to_team_leader else ""
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
    since the previous signed-off review, or with the Team Leader's reason why not (`no_visit_reason`)."""
    today = today or timezone.localdate()
    plan = _lock(plan)
    transition = PLAN_TRANSITIONS.check(plan, "sign_off", user=actor.user)
    young_person = plan.young_person
    visit = visit_before_review(plan, today=today)
    no_visit_reason = (no_visit_reason or "").strip()
    if not visit.made and not no_visit_reason:
        since = f"since the previous review on {british(visit.previous_review)}" if visit.previous_review else "yet"
        raise ServiceError(f"No visit to {young_person.name} is recorded {since}: record the visit first, or say why "
                           "the plan is signed off without one (reg 8(2)(b)).", field="no_visit_reason")
    submitter = plan.submitted_by
    state_from = plan.state
    plan.state = transition.next_state(plan)
    plan.signed_off_at = timezone.now()
    plan.signed_off_by = actor
    plan.review_date = today
    plan.visit_before_review_on = visit.last_visit
    plan.no_visit_reason = "" if visit.made else no_visit_reason
    plan.save()
    PlanDecision.objects.create(plan=plan, action=PlanAction.SIGNED_OFF, actor=actor, comments=comments)
    _audit(AuditKind.PLAN_SIGNED_OFF, plan, actor=actor, state_from=state_from, review_date=today, comments=comments,
           visit_before_review_on=plan.visit_before_review_on, no_visit_reason=plan.no_visit_reason)
    visit_line = (f"Visit before the review: {british(visit.last_visit)}." if visit.last_visit
                  else f"No visit since the previous review (reg 8(2)(b)): {plan.no_visit_reason}")
    case_note_add(young_person=young_person, author=actor, kind=CaseNoteKind.PLAN,
                  subject=f"Pathway plan v{plan.version} signed off",
                  text="\n".join([comments or f"Signed off by {actor.name}; review date {british(today)}.", visit_line]))
    recompute_young_person(plan.young_person)
    notify(recipients=[submitter], kind="plan_signed_off", url=_plan_url(plan), young_person=plan.young_person,
           message=f"{actor.name} signed off pathway plan v{plan.version} for {plan.young_person.name}.")
    return plan


@transaction.atomic
def plan_record_shared(*, plan: PathwayPlan, actor: Staff, shared_on: dt.date, today: dt.date | None = None) -> PathwayPlan:
    """P4: when the plan was shared with the young person. The date is a fact about the plan,
    not its content, so it may be recorded on a signed-off plan too; each recording is a row."""
    today = today or timezone.localdate()
    plan = _lock(plan)
    PLAN_TRANSITIONS.check(plan, "record_shared", user=actor.user)
    if shared_on > today:
        raise ServiceError("The date the plan was shared cannot be in the future.", field="shared_on")
    plan.shared_with_young_person_on = shared_on
    plan.save()
    PlanDecision.objects.create(plan=plan, action=PlanAction.SHARED, actor=actor, comments=f"Shared on {british(shared_on)}")
    _audit(AuditKind.PLAN_SHARED, plan, actor=actor, state_from=plan.state, shared_on=shared_on)
    case_note_add(young_person=plan.young_person, author=actor, kind=CaseNoteKind.PLAN,
                  subject=f"Pathway plan v{plan.version} shared with the young person",
                  text=f"Shared with {plan.young_person.name} on {british(shared_on)}.")
    return plan
