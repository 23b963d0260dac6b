"""Arrangements that change the contact pattern (A, R, S, D rules): one service per transition.

Chains (the PA always requests):
- reduced visits (R1-R6): requested -> Team Leader approves (R3, R4) -> Service Leader agrees (R5) -> active;
- step back (S1-S3) and different needs (D1, D2): requested -> Team Leader approves -> active.
Any pending request can be rejected (nothing changes) or withdrawn; an active arrangement can be ended
at any time (the young person changed their mind) and the standard pattern returns.

The conditions keep holding after the request: the Team Leader's approval and the Service Leader's
agreement check R1 again (and D1, against the recorded accommodation); a step back becomes active only
once every S2 item is recorded as given, or the Team Leader records why one could not be; marking the
young person vulnerable or at risk while reduced visits are pending or active puts the arrangement up
for review and tells the Team Leader (R1).

Which step applies in which state, and who may take it, is one table (approvals.transitions) over
the permissions of core.rules: nobody takes two steps of one chain (request, Team Leader's decision,
Service Leader's), whatever their role at each moment, read from the decision rows; a Team Leader
decides only for their own team; only the Service Leader agrees (R5), and only to an approval that
still stands. Each step appends an ArrangementDecision row (O2), a
case note and its audit event in the same transaction; activation and ending recompute the young
person's requirements in that transaction too.

A young person has at most one pending and one active arrangement. Requesting while one is active
is refused ("end the current arrangement first") rather than replacing it on activation: the
change of pattern then always goes through an explicit, recorded end.
"""

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from careleavers.models import (
    VULNERABILITY_FLAGS,
    Accommodation,
    CaseNote,
    CaseNoteKind,
    Flag,
    FlagKind,
    Notification,
    Staff,
    YoungPerson,
)
from careleavers.selectors import service_leaders, team_leaders_of, team_leaders_of_teams
from careleavers.services import case_note_add, notify
from compliance.checkpoints import caseload_orders_lock
from compliance.engine import recompute_young_person
from core.audit import audit_record
from core.bulk import insert_rows
from core.dates import age_on, british
from core.errors import InvalidState, ServiceError
from core.forms import plain_reason as plain  # noqa: F401  (the panel and views say reasons plainly)
from core.models import AuditEvent, AuditKind
from core.transitions import lock, require

from .models import (
    PENDING_STATES,
    Arrangement,
    ArrangementDecision,
    ArrangementKind,
    ArrangementState,
    Decision,
    Step,
    StepBackItem,
    StepBackRecord,
)
from .transitions import ARRANGEMENT_TRANSITIONS

REQUESTABLE_KINDS = (ArrangementKind.REDUCED_VISITS, ArrangementKind.STEP_BACK, ArrangementKind.DIFFERENT_NEEDS)
#: D1: every one of these must hold.
D1_CRITERIA = {
    "would_not_understand_pa_role": "the young person would not understand the PA role",
    "lives_in_specialist_home": "the young person lives in a specialist staffed home",
    "no_unaddressed_independence_needs": "the young person has no unaddressed independence needs",
}
#: D3: what the family was given and told.
D3_FAMILY_INFORMED = {
    "family_given_local_offer": "the family was given the Local Offer",
    "family_given_contact_details": "the family was given the service's contact details",
    "family_told_can_ask_for_more_support": "the family was told they can ask for more support",
}
#: R2: what the PA confirms was discussed.
R2_CONFIRMATIONS = {
    "understands_contact_continues": "they understand contact continues (phone, message, messaging app)",
    "agrees_to_respond": "they agree to respond to contact",
    "agrees_to_report_changes": "they agree to report a change of address or a significant event",
    "knows_can_contact_service": "they know they can contact the service at any time",
}


def not_eligible(reasons: list[str], *, lead: str = "This request cannot be made") -> ServiceError:
    """A request refused because the rule's conditions are not met (R1, D1): every reason at once."""
    return ServiceError(reasons=reasons, lead=lead)


# --- rules --------------------------------------------------------------------------------------

#: R1: the youngest age for reduced visits, and the age past which no support-needs assessment is needed.
R1_MIN_AGE = 18
R1_NO_ASSESSMENT_AGE = 21


def reduced_visits_refusals(*, young_person: YoungPerson, details: dict, on: dt.date) -> list[str]:
    """R1, as the reasons a request must be refused (empty when eligible)."""
    age = age_on(young_person.date_of_birth, on)
    reasons = []
    if age < R1_MIN_AGE:
        reasons.append("reduced visits are only for young people aged 18 or over")  # R1
    if not (details.get("asked_for_it") or details.get("long_term_linked")):
        reasons.append("the young person has not asked for it and was not long-term linked and used to reduced contact")  # R1
    if young_person.vulnerable or details.get("at_risk"):
        reasons.append("the young person is vulnerable or at risk")  # R1: never for them
    # "aged over 21": past their 21st birthday.
    if not (details.get("low_support_needs") or details.get("needs_met_by_community") or age >= R1_NO_ASSESSMENT_AGE):
        reasons.append("support needs must be assessed as low and/or met by community resources, unless aged over 21")  # R1
    return reasons


def reduced_visits_refusals_from_record(*, young_person: YoungPerson, on: dt.date) -> list[str]:
    """issue 15, item 4: the R1 reasons the record alone gives (under 18, marked vulnerable or at risk), so the page
    says no before the PA fills in the whole form. The form-dependent conditions are left to the request itself."""
    return reduced_visits_refusals(young_person=young_person, details={"asked_for_it": True, "low_support_needs": True},
                                   on=on)


def different_needs_refusals(*, young_person: YoungPerson, details: dict) -> list[str]:
    """D1, as the reasons a request must be refused: every criterion confirmed, and the specialist staffed
    home is the accommodation on the young person's record, not only a tick box."""
    reasons = [f"not confirmed that {text}" for key, text in D1_CRITERIA.items() if not details.get(key)]  # D1
    if details.get("lives_in_specialist_home") and young_person.accommodation != Accommodation.SPECIALIST_HOME:
        recorded = Accommodation(young_person.accommodation).label.lower()
        reasons.append(f"the accommodation on the record is {recorded}, not a specialist staffed home: "
                       "update the record first")  # D1
    return reasons


def _check_details(kind: str, details: dict, young_person: YoungPerson, on: dt.date) -> None:
    if kind == ArrangementKind.REDUCED_VISITS:
        missing = [text for key, text in R2_CONFIRMATIONS.items() if not details.get(key)]
        if not str(details.get("wish_and_reasons", "")).strip():
            missing.insert(0, "the young person's wish and reasons")
        if missing:
            raise ServiceError("Record the conversation: " + "; ".join(missing) + ".")  # R2
        refusals = reduced_visits_refusals(young_person=young_person, details=details, on=on)
        if refusals:
            raise not_eligible(refusals)
    elif kind == ArrangementKind.STEP_BACK:
        if not str(details.get("attempts_to_engage", "")).strip():
            raise ServiceError("Record the attempts made to engage the young person before a step back.")  # S1
    elif kind == ArrangementKind.DIFFERENT_NEEDS:
        _check_different_needs(details, young_person)


def _check_different_needs(details: dict, young_person: YoungPerson) -> None:
    """D1 (against the recorded accommodation), D2 (who agreed), D3 (what the family was given and told)."""
    refusals = different_needs_refusals(young_person=young_person, details=details)
    if refusals:
        raise not_eligible(refusals)
    if not details.get("agreed_by"):
        raise ServiceError("Name the professionals and family or carers who agreed.")  # D2
    uninformed = [text for key, text in D3_FAMILY_INFORMED.items() if not details.get(key)]
    if uninformed:
        raise ServiceError("Record that " + "; ".join(uninformed) + ".")  # D3


# --- helpers ------------------------------------------------------------------------------------

def _url(arrangement: Arrangement) -> str:
    return reverse("approvals:detail", args=[arrangement.pk])


def _lock(arrangement: Arrangement) -> Arrangement:
    return lock(arrangement, "young_person__pa__team", "requested_by__user")


def _require_rationale(rationale: str, *, field: str = "rationale") -> str:
    rationale = (rationale or "").strip()
    if not rationale:
        raise ServiceError("Give the reasons for this decision: they are kept on the record.", field=field)  # O2
    return rationale


def _audit(kind: str, arrangement: Arrangement, *, actor: Staff | None, state_from: str, **data) -> None:
    audit_record(kind=kind, actor=actor, young_person=arrangement.young_person, obj=arrangement,
                 arrangement_kind=arrangement.kind, state_from=state_from, state_to=arrangement.state, **data)


def _decide(arrangement: Arrangement, *, step: str, decision: str, actor: Staff | None, rationale: str) -> ArrangementDecision:
    return ArrangementDecision.objects.create(
        arrangement=arrangement, step=step, decision=decision, actor=actor, rationale=rationale)


def _note(arrangement: Arrangement, *, author: Staff, subject: str, text: str) -> None:
    case_note_add(young_person=arrangement.young_person, author=author, kind=CaseNoteKind.ARRANGEMENT,
                  subject=f"{arrangement.get_kind_display()}: {subject}", text=text)


def _activate(arrangement: Arrangement, today: dt.date) -> None:
    """The arrangement takes effect today and the requirements change at once (recompute)."""
    if Arrangement.objects.filter(young_person=arrangement.young_person, state=ArrangementState.ACTIVE).exists():
        raise InvalidState("Another arrangement is active for this young person: end the current arrangement first.")
    arrangement.state = ArrangementState.ACTIVE
    arrangement.active_from = today
    arrangement.save()
    recompute_young_person(arrangement.young_person, as_of=today)


DETAIL_LABELS = {
    "asked_for_it": "Asked for reduced visits",
    "long_term_linked": "Long-term linked and used to reduced contact",
    "at_risk": "Vulnerable or at risk",
    "low_support_needs": "Low support needs",
    "needs_met_by_community": "Needs met by community resources",
    "wish_and_reasons": "The young person's wish and reasons",
    "young_persons_wish": "The young person's wish",
    "light_touch_offer": "Light-touch offer",
    "agreed_by": "Agreed by",
    "conduit": "Third party as conduit",  # S6
    **{key: text[:1].upper() + text[1:]
       for key, text in {**R2_CONFIRMATIONS, **D1_CRITERIA, **D3_FAMILY_INFORMED}.items()},
}


def summarise(details: dict) -> str:
    """The kind-specific record as readable lines, for the case note."""
    lines = []
    for key, raw in details.items():
        label = DETAIL_LABELS.get(key, key.replace("_", " ").capitalize())
        value = raw
        if isinstance(raw, bool):
            value = "yes" if raw else "no"
        elif isinstance(raw, dict):  # the S6 conduit
            consent = "consent given" if raw.get("consent") else "no consent recorded"
            value = f"{raw.get('name', '')} ({raw.get('relationship') or 'relationship not stated'}), {consent}"
        elif isinstance(raw, list):
            value = "; ".join(f"{v.get('name')} ({v.get('role')})" if isinstance(v, dict) else str(v) for v in raw)
        if value not in ("", None, []):
            lines.append(f"{label}: {value}")
    return "\n".join(lines)


# --- transitions --------------------------------------------------------------------------------

@transaction.atomic
def arrangement_request(*, young_person: YoungPerson, kind: str, details: dict, keeping_in_touch: str, actor: Staff,
                        today: dt.date | None = None, on_plan: bool = False) -> Arrangement:
    """The PA asks for an arrangement, with the kind-specific record (R2 conversation, S1 attempts,
    D1 criteria and D2 agreement). Refused with reasons when the rule is not met (R1, D1).

    `on_plan` (issue 13, R3): reduced visits asked for on a pathway plan version (pathway.services
    plan_arrangement_request), whose sign-off is then the Team Leader's approval (R4)."""
    today = today or timezone.localdate()
    young_person = lock(young_person, "pa__team")
    require("approvals.request_arrangement", user=actor.user, obj=young_person)
    if kind not in REQUESTABLE_KINDS:
        raise ServiceError("Choose reduced visits, step back or different needs.")
    existing = set(Arrangement.objects.filter(young_person=young_person, state__in=(*PENDING_STATES, ArrangementState.ACTIVE))
                   .values_list("state", flat=True))
    if existing & set(PENDING_STATES):
        raise InvalidState("A request is already waiting for a decision for this young person.")
    if ArrangementState.ACTIVE in existing:
        raise InvalidState("An arrangement is already active for this young person: end the current arrangement first.")
    _check_details(kind, details, young_person, today)
    arrangement = Arrangement.objects.create(
        young_person=young_person, kind=kind, state=ArrangementState.REQUESTED, requested_by=actor,
        details=details, keeping_in_touch=keeping_in_touch, approved_by_plan_sign_off=on_plan,
    )
    _decide(arrangement, step=Step.REQUEST, decision=Decision.REQUESTED, actor=actor, rationale=summarise(details))
    _note(arrangement, author=actor, subject="requested",
          text=f"{summarise(details)}\nKeeping in touch: {keeping_in_touch or 'not stated'}")
    _audit(AuditKind.ARRANGEMENT_REQUESTED, arrangement, actor=actor, state_from="", details=details,
           keeping_in_touch=keeping_in_touch)
    notify(recipients=list(team_leaders_of(young_person)), kind="arrangement_requested", url=_url(arrangement),
           young_person=young_person,
           message=f"{actor.name} asks for {arrangement.get_kind_display().lower()} for {young_person.name}.")
    return arrangement


def step_back_items_missing(arrangement: Arrangement) -> list[str]:
    """S2: the checklist items not yet recorded as given (nor as not given, with why), in checklist order."""
    recorded = {record.item for record in arrangement.step_back_items.all()}
    return [item for item in StepBackItem.values if item not in recorded]


def _record_not_given(arrangement: Arrangement, *, not_given: dict[str, str] | None, actor: Staff) -> list[str]:
    """S2 at activation: every missing item needs the Team Leader's reason; each is then a record (no date)."""
    missing = step_back_items_missing(arrangement)
    reasons = {item: str((not_given or {}).get(item, "")).strip() for item in missing}
    unexplained = [StepBackItem(item).label for item, reason in reasons.items() if not reason]
    if unexplained:
        raise ServiceError(reasons=unexplained, lead="Before the step back becomes active, record each item as "
                                                     "given, or say why it could not be given")  # S2
    lines = []
    for item, reason in reasons.items():
        record = StepBackRecord.objects.create(arrangement=arrangement, item=item, not_given_reason=reason,
                                               recorded_by=actor)
        audit_record(kind=AuditKind.STEP_BACK_ITEM_NOT_GIVEN, actor=actor, young_person=arrangement.young_person,
                     obj=record, arrangement_id=arrangement.pk, item=item, reason=reason)
        lines.append(f"{StepBackItem(item).label} not given: {reason}")
    return lines


@transaction.atomic
def arrangement_approve(*, arrangement: Arrangement, actor: Staff, rationale: str,
                        not_given: dict[str, str] | None = None, today: dt.date | None = None,
                        with_plan: str = "") -> Arrangement:
    """The Team Leader of the young person's team approves with a rationale.

    Reduced visits then wait for the Service Leader (R4: case note, Service Leaders alerted), if R1
    still holds; a step back (S3) takes effect at once once every S2 item is recorded as given, or
    `not_given` (item -> reason) says why it could not be; a different-needs pattern (D2) at once, if
    D1 still holds against the recorded accommodation.

    A request made on a pathway plan (issue 13, R3, R4) is approved only by signing off that plan version:
    pathway.services.plan_sign_off calls this with `with_plan` (the plan's name) in its own transaction and
    writes the one case note of the act, so none is written here."""
    caseload_orders_lock()  # issue 16: before any row lock
    today = today or timezone.localdate()
    arrangement = _lock(arrangement)
    transition = ARRANGEMENT_TRANSITIONS.check(arrangement, "approve", user=actor.user)
    if arrangement.approved_by_plan_sign_off and not with_plan:
        raise InvalidState("This request was made on a pathway plan: approve it by signing off that plan version, "
                           "with your rationale.", field="rationale")  # R3, R4
    young_person = arrangement.young_person
    rationale = _require_rationale(rationale)
    kind = arrangement.get_kind_display().lower()
    state_from = arrangement.state
    not_given_lines: list[str] = []
    if arrangement.kind == ArrangementKind.DIFFERENT_NEEDS:
        refusals = different_needs_refusals(young_person=young_person, details=arrangement.details)
        if refusals:
            raise not_eligible(refusals, lead="This cannot be approved")
    elif arrangement.kind == ArrangementKind.STEP_BACK:
        not_given_lines = _record_not_given(arrangement, not_given=not_given, actor=actor)
    if transition.next_state(arrangement) == ArrangementState.TEAM_LEADER_APPROVED:
        refusals = reduced_visits_refusals(young_person=young_person, details=arrangement.details, on=today)
        if refusals:
            raise not_eligible(refusals)
        arrangement.state = ArrangementState.TEAM_LEADER_APPROVED
        arrangement.save()
        _decide(arrangement, step=Step.TEAM_LEADER, decision=Decision.APPROVED, actor=actor,
                rationale=f"{rationale}\nSigned off with {with_plan}." if with_plan else rationale)  # R4
        if not with_plan:
            _note(arrangement, author=actor, subject="approved by Team Leader",  # R4
                  text=f"Rationale: {rationale}\n"  # R5: the Service Leader's agreement makes it active
                       "The Service Leader has been alerted; reduced visits start once they agree.")
        notify(recipients=list(service_leaders()), kind="arrangement_approved", url=_url(arrangement),
               young_person=young_person,
               message=f"{actor.name} approved reduced visits for {young_person.name}: your agreement is needed.")  # R5
    else:
        _decide(arrangement, step=Step.TEAM_LEADER, decision=Decision.APPROVED, actor=actor,
                rationale="\n".join([rationale, *not_given_lines]))
        _activate(arrangement, today)
        _note(arrangement, author=actor, subject="approved by Team Leader and active",
              text="\n".join([f"Rationale: {rationale}", *not_given_lines, f"Active from {british(today)}."]))
    _audit(AuditKind.ARRANGEMENT_APPROVED, arrangement, actor=actor, state_from=state_from, rationale=rationale,
           active_from=arrangement.active_from, not_given=not_given_lines, with_plan=with_plan)
    notify(recipients=[arrangement.requested_by], kind="arrangement_approved", url=_url(arrangement), young_person=young_person,
           message=f"{actor.name} approved {kind} for {young_person.name}.")
    return arrangement


@transaction.atomic
def arrangement_agree(*, arrangement: Arrangement, actor: Staff, rationale: str, today: dt.date | None = None) -> Arrangement:
    """R5: the Service Leader records agreement; only then are reduced visits active, from that day,
    and the requirements change from visits to contacts at once (R6).

    The agreement re-checks everything the approval checked (issue 14): the state (reduced visits, waiting
    for the Service Leader, a Team Leader approval the latest decision on record), the team (whoever approved
    was then the Team Leader of the young person's team, and the young person is still in it), the duties
    (nobody who requested or approved it agrees, whatever their role now: core.rules, from the decision
    rows) and R1 on the day it would start."""
    caseload_orders_lock()  # issue 16: before any row lock
    today = today or timezone.localdate()
    arrangement = _lock(arrangement)
    ARRANGEMENT_TRANSITIONS.check(arrangement, "agree", user=actor.user)
    if arrangement.kind != ArrangementKind.REDUCED_VISITS:
        raise InvalidState("Only reduced visits wait for a Service Leader's agreement.")  # R5
    rationale = _require_rationale(rationale)
    # R1 must still hold on the day it would start (the young person may now be vulnerable or at risk).
    refusals = reduced_visits_refusals(young_person=arrangement.young_person, details=arrangement.details, on=today)
    if refusals:
        raise not_eligible(refusals, lead="This cannot be agreed")
    state_from = arrangement.state
    approver = arrangement.decisions.filter(step=Step.TEAM_LEADER).select_related("actor__user").last()
    _decide(arrangement, step=Step.SERVICE_LEADER, decision=Decision.AGREED, actor=actor, rationale=rationale)
    _activate(arrangement, today)
    _note(arrangement, author=actor, subject="agreed by Service Leader",  # R5
          text=f"{rationale}\nReduced visits active from {british(today)}.")
    _audit(AuditKind.ARRANGEMENT_AGREED, arrangement, actor=actor, state_from=state_from, rationale=rationale,
           active_from=arrangement.active_from)
    notify(recipients=[arrangement.requested_by, approver.actor if approver else None], kind="arrangement_agreed",
           url=_url(arrangement), young_person=arrangement.young_person,
           message=f"{actor.name} agreed reduced visits for {arrangement.young_person.name}: active from {british(today)}.")
    return arrangement


@transaction.atomic
def arrangement_reject(*, arrangement: Arrangement, actor: Staff, rationale: str) -> Arrangement:
    """A pending request is rejected by whoever's decision it waits for; nothing else changes."""
    arrangement = _lock(arrangement)
    transition = ARRANGEMENT_TRANSITIONS.check(arrangement, "reject", user=actor.user)
    step = Step.TEAM_LEADER if arrangement.state == ArrangementState.REQUESTED else Step.SERVICE_LEADER
    rationale = _require_rationale(rationale)
    state_from = arrangement.state
    approver = arrangement.decisions.filter(step=Step.TEAM_LEADER).select_related("actor__user").last()
    arrangement.state = transition.next_state(arrangement)
    arrangement.save()
    _decide(arrangement, step=step, decision=Decision.REJECTED, actor=actor, rationale=rationale)
    _note(arrangement, author=actor, subject="rejected", text=f"Rejected by {actor.name}: {rationale}")
    _audit(AuditKind.ARRANGEMENT_REJECTED, arrangement, actor=actor, state_from=state_from, rationale=rationale, step=step)
    notify(recipients=[arrangement.requested_by, approver.actor if approver else None], kind="arrangement_rejected",
           url=_url(arrangement), young_person=arrangement.young_person,
           message=f"{actor.name} rejected {arrangement.get_kind_display().lower()} for {arrangement.young_person.name}.")
    return arrangement


@transaction.atomic
def arrangement_withdraw(*, arrangement: Arrangement, actor: Staff, reason: str) -> Arrangement:
    """The PA withdraws a request that is still waiting."""
    arrangement = _lock(arrangement)
    transition = ARRANGEMENT_TRANSITIONS.check(arrangement, "withdraw", user=actor.user)
    reason = _require_rationale(reason)
    state_from = arrangement.state
    arrangement.state = transition.next_state(arrangement)
    arrangement.save()
    _decide(arrangement, step=Step.WITHDRAW, decision=Decision.WITHDRAWN, actor=actor, rationale=reason)
    _note(arrangement, author=actor, subject="request withdrawn", text=reason)
    _audit(AuditKind.ARRANGEMENT_WITHDRAWN, arrangement, actor=actor, state_from=state_from, rationale=reason)
    # issue 15, item 9: a withdrawn request leaves no unread "your decision is needed" behind for the Team Leader (or
    # the Service Leader): those notifications are settled as read; the withdrawal itself is on the record.
    Notification.objects.filter(
        url=_url(arrangement), kind__in=["arrangement_requested", "arrangement_approved"], read_at__isnull=True,
    ).exclude(recipient=arrangement.requested_by).update(read_at=timezone.now())
    return arrangement


@transaction.atomic
def arrangement_end(*, arrangement: Arrangement, actor: Staff, reason: str, today: dt.date | None = None) -> Arrangement:
    """End an active arrangement (the young person changed their mind): from today the standard
    pattern applies again (recomputed at once). The PA, the team's Team Leader or a service-wide
    manager may end it: returning to the standard pattern needs no approval."""
    caseload_orders_lock()  # issue 16: before any row lock
    today = today or timezone.localdate()
    arrangement = _lock(arrangement)
    transition = ARRANGEMENT_TRANSITIONS.check(arrangement, "end", user=actor.user)
    young_person = arrangement.young_person
    reason = _require_rationale(reason)
    state_from = arrangement.state
    arrangement.state = transition.next_state(arrangement)
    arrangement.ended_on = max(today, arrangement.active_from or today)
    arrangement.end_reason = reason
    arrangement.save()
    _decide(arrangement, step=Step.END, decision=Decision.ENDED, actor=actor, rationale=reason)
    _note(arrangement, author=actor, subject="ended",
          text=f"Ended on {british(arrangement.ended_on)} by {actor.name}: {reason}\nThe standard contact pattern applies again.")
    _audit(AuditKind.ARRANGEMENT_ENDED, arrangement, actor=actor, state_from=state_from, rationale=reason,
           ended_on=arrangement.ended_on)
    recompute_young_person(young_person, as_of=today)
    return arrangement


@transaction.atomic
def step_back_item_record(*, arrangement: Arrangement, item: str, given_on: dt.date, actor: Staff,
                          today: dt.date | None = None) -> StepBackRecord:
    """S2: each item given at the step back, with its date. A record is never changed."""
    today = today or timezone.localdate()
    arrangement = _lock(arrangement)
    ARRANGEMENT_TRANSITIONS.check(arrangement, "record_step_back_item", user=actor.user)
    if item not in StepBackItem.values:
        raise ServiceError("Choose an item from the checklist.", field="item")
    if given_on > today:
        raise ServiceError("The date given cannot be in the future.", field="given_on")
    if arrangement.step_back_items.filter(item=item, given_on__isnull=False).exists():
        raise InvalidState(f"{StepBackItem(item).label} is already recorded as given.", field="item")
    record = StepBackRecord.objects.create(arrangement=arrangement, item=item, given_on=given_on, recorded_by=actor)
    _note(arrangement, author=actor, subject=f"{StepBackItem(item).label} given", text=f"Given on {british(given_on)}.")  # S2
    audit_record(kind=AuditKind.STEP_BACK_ITEM_RECORDED, actor=actor, young_person=arrangement.young_person, obj=record,
                 arrangement_id=arrangement.pk, item=item, given_on=given_on)
    return record


# --- R1 keeps holding: vulnerability and reviews ----------------------------------------------------

REVIEWABLE_STATES = (*PENDING_STATES, ArrangementState.ACTIVE)


@transaction.atomic
def arrangement_review_request(*, arrangement: Arrangement, reason: str, actor: Staff | None = None,
                               today: dt.date | None = None) -> Arrangement:
    """Put a pending or active arrangement up for review (R1 no longer holds; E3: the young person stopped
    responding): the Team Leader is told, and the arrangement page and the approvals queue show it until
    the Team Leader records that it continues, or it ends. Asked again while a review is open, the new
    reason is added to the record and the date stays. (One arrangement of arrangements_review_request.)"""
    return arrangements_review_request(arrangements=Arrangement.objects.filter(pk=arrangement.pk), reason=reason,
                                       actor=actor, today=today)[0]


@transaction.atomic
def arrangements_review_request(*, arrangements: QuerySet[Arrangement], reason: str | Callable[[Arrangement], str],
                                actor: Staff | None = None, today: dt.date | None = None,
                                email_team_leaders: bool = True, change_reason: str | None = None) -> list[Arrangement]:
    """Put every arrangement of `arrangements` up for review at once, as arrangement_review_request does for one
    (`reason`: one for all, or each arrangement's): the review date (kept while a review is open) and the reason
    added, with a history row; the review decision (O2); a case note; their audit events; and an in-app
    notification to each Team Leader of the young person's team, with an e-mail after the commit unless
    `email_team_leaders` is False (the nightly run: its digest e-mail carries the E3 alert that caused it).

    Set-based (issue 16): one lock and one bulk write per table whatever the number, so the nightly run's
    thousands of E3 reviews on a first night cost a few queries, not a dozen each. Refused (nothing written)
    when any of them is neither pending nor active. Returns the arrangements as written, in id order."""
    today = today or timezone.localdate()
    locked = list(arrangements.select_for_update(of=("self",))
                  .select_related("young_person__pa").order_by("pk"))
    for arrangement in locked:
        if arrangement.state not in REVIEWABLE_STATES:
            raise InvalidState(
                f"This arrangement is {arrangement.get_state_display().lower()}: there is nothing to review.")
    if not locked:
        return []
    reasons = {a.pk: _require_rationale(reason(a) if callable(reason) else reason, field="reason") for a in locked}
    states = {a.pk: a.state for a in locked}
    for arrangement in locked:
        arrangement.review_requested_on = arrangement.review_requested_on or today
        arrangement.review_reason = f"{arrangement.review_reason}\n{reasons[arrangement.pk]}".strip()
    _reviews_write(locked, reasons=reasons, states=states, actor=actor, change_reason=change_reason)
    leaders: dict[int | None, list[Staff]] = defaultdict(list)
    for leader in team_leaders_of_teams({a.young_person.pa.team_id for a in locked if a.young_person.pa}):
        leaders[leader.team_id].append(leader)
    # The arrangement's page, by substitution rather than one reverse() per arrangement.
    url_of = reverse("approvals:detail", args=[987654321]).replace("987654321", "{}").format
    told = [(a, leaders[a.young_person.pa.team_id] if a.young_person.pa else [],
             f"{a.get_kind_display()} for {a.young_person.name} is up for review: {reasons[a.pk]}") for a in locked]
    if email_team_leaders:
        for arrangement, recipients, message in told:
            notify(recipients=recipients, kind="arrangement_review", url=url_of(arrangement.pk),
                   young_person=arrangement.young_person, message=message)
    else:
        insert_rows(Notification, ("recipient_id", "young_person_id", "url", "message"), [
            (leader.pk, arrangement.young_person_id, url_of(arrangement.pk), message[:500])
            for arrangement, recipients, message in told
            for leader in {s.pk: s for s in recipients}.values()], constants={"kind": "arrangement_review"})
    return locked


def _reviews_write(locked: list[Arrangement], *, reasons: dict[int, str], states: dict[int, str], actor: Staff | None,
                   change_reason: str | None) -> None:
    """arrangements_review_request's rows, one statement per table (issue 16): the arrangements' review date and
    reason, their history rows (as bulk_history_create writes them), the review decisions (O2), the case notes and
    the audit events (as case_note_add and _audit write them, in that order). No model instance per row: a first
    night's 1 700 E3 reviews were 10 000 instances through bulk_create."""
    ops = connection.ops
    table = Arrangement._meta.db_table
    with connection.cursor() as cursor:
        # Each row's own reason. Not an audited field's bypass: the history rows follow at once.
        reviewed = [(a.pk, ops.adapt_datefield_value(a.review_requested_on), a.review_reason) for a in locked]
        if connection.vendor == "postgresql":
            # One statement for all (a first night's 1 700 single-row updates were a round trip each).
            cursor.execute(
                f"UPDATE {table} SET review_requested_on = CAST(r.v->>1 AS date), review_reason = r.v->>2"  # noqa: S608  # nosec B608
                " FROM jsonb_array_elements(CAST(%s AS jsonb)) AS r(v) WHERE id = CAST(r.v->>0 AS bigint)",
                [json.dumps(reviewed, default=str)])  # the table's name from the model, every value bound
        else:
            cursor.executemany(
                f"UPDATE {table} SET review_requested_on = %s, review_reason = %s WHERE id = %s",  # noqa: S608  # nosec B608
                [(on, reason, pk) for pk, on, reason in reviewed])
        # The history rows copy each arrangement's row as it now is, in the database (so every value is the stored
        # one), with what bulk_history_create gives: the request's user (none at night), the reason, "~".
        history = Arrangement.history.model
        tracked = [f.column for f in history.tracked_fields]
        columns = ", ".join(ops.quote_name(c) for c in tracked)
        user = history.get_default_history_user(locked[0])
        cursor.execute(
            f"INSERT INTO {ops.quote_name(history._meta.db_table)} ({columns}, history_date, history_change_reason,"  # noqa: S608  # nosec B608
            f" history_type, history_user_id) SELECT {columns}, %s, %s, %s, %s FROM {table} WHERE id IN"
            f" ({', '.join(['%s'] * len(locked))}) ORDER BY id",  # names from the models, every value bound
            [timezone.now(), change_reason or None, "~", getattr(user, "pk", None), *[a.pk for a in locked]])
    insert_rows(ArrangementDecision, ("arrangement_id", "rationale"), [(a.pk, reasons[a.pk]) for a in locked],
                constants={"step": Step.REVIEW, "decision": Decision.REVIEW_REQUESTED, "actor_id": getattr(actor, "pk", None)})
    subjects = {a.pk: f"{a.get_kind_display()}: put up for review"[:200] for a in locked}
    notes = insert_rows(CaseNote, ("young_person_id", "text", "subject"),
                        [(a.young_person_id, reasons[a.pk], subjects[a.pk]) for a in locked],
                        constants={"author_id": getattr(actor, "pk", None), "kind": CaseNoteKind.ARRANGEMENT},
                        returning=True)
    events: list[tuple[str, int, str, str, dict[str, object]]] = []
    for arrangement, note in zip(locked, notes, strict=True):
        events.append((AuditKind.CASE_NOTE_ADDED, arrangement.young_person_id, CaseNote._meta.label_lower, str(note),
                       {"note_kind": CaseNoteKind.ARRANGEMENT, "subject": subjects[arrangement.pk]}))
        events.append((AuditKind.ARRANGEMENT_REVIEW_REQUESTED, arrangement.young_person_id,
                       arrangement._meta.label_lower, str(arrangement.pk), {
                           "arrangement_kind": arrangement.kind, "state_from": states[arrangement.pk],
                           "state_to": arrangement.state, "reason": reasons[arrangement.pk],
                           "review_requested_on": arrangement.review_requested_on}))
    insert_rows(AuditEvent, ("kind", "young_person_id", "object_type", "object_id", "data"), events,
                constants={"actor_id": getattr(actor, "pk", None)})


@transaction.atomic
def arrangement_review_continue(*, arrangement: Arrangement, actor: Staff, rationale: str,
                                today: dt.date | None = None) -> Arrangement:
    """The Team Leader reviewed the arrangement and it continues (with their reasons, O2). Reduced visits
    continue only while R1 holds: for a young person who is now vulnerable, the answer is to end it."""
    today = today or timezone.localdate()
    arrangement = _lock(arrangement)
    ARRANGEMENT_TRANSITIONS.check(arrangement, "continue_after_review", user=actor.user)
    rationale = _require_rationale(rationale)
    if arrangement.kind == ArrangementKind.REDUCED_VISITS:
        refusals = reduced_visits_refusals(young_person=arrangement.young_person, details=arrangement.details, on=today)
        if refusals:
            raise not_eligible(refusals, lead="Reduced visits cannot continue")
    requested_on = arrangement.review_requested_on
    arrangement.review_requested_on = None
    arrangement.save(update_fields=["review_requested_on"])
    _decide(arrangement, step=Step.REVIEW, decision=Decision.CONTINUES, actor=actor, rationale=rationale)
    _note(arrangement, author=actor, subject="reviewed: it continues", text=f"Rationale: {rationale}")
    _audit(AuditKind.ARRANGEMENT_REVIEWED, arrangement, actor=actor, state_from=arrangement.state, rationale=rationale,
           review_requested_on=requested_on)
    return arrangement


@transaction.atomic
def young_person_flag_vulnerable(*, young_person: YoungPerson, vulnerable: bool, reason: str, actor: Staff,
                                 today: dt.date | None = None) -> YoungPerson:
    """Mark the young person vulnerable or at risk (or no longer), with why. R1 keeps holding: while
    reduced visits are pending or active, marking them vulnerable puts the arrangement up for review and
    tells the Team Leader; the Team Leader's approval and the Service Leader's agreement refuse it.
    Issue 11, item 7: this sets a `vulnerable` flag (or clears every vulnerable and at-risk flag), and
    YoungPerson.vulnerable follows the active flags."""
    caseload_orders_lock()  # issue 16: before any row lock
    today = today or timezone.localdate()
    young_person = lock(young_person, "pa__team")
    require("careleavers.flag_vulnerable", user=actor.user, obj=young_person)
    reason = _require_rationale(reason, field="reason")
    vulnerable = bool(vulnerable)
    if young_person.vulnerable == vulnerable:
        state = "already" if vulnerable else "not"
        raise InvalidState(f"{young_person.name} is {state} marked vulnerable or at risk.", field="vulnerable")
    active = list(Flag.objects.select_for_update().filter(young_person=young_person, kind__in=VULNERABILITY_FLAGS,
                                                           cleared_on__isnull=True))
    if vulnerable:
        _flag_create(young_person=young_person, kind=FlagKind.VULNERABLE, reason=reason, actor=actor, set_on=today)
    for flag in [] if vulnerable else active:
        _flag_close(flag=flag, reason=reason, actor=actor, cleared_on=today)
    what = "Marked vulnerable or at risk" if vulnerable else "No longer marked vulnerable or at risk"
    case_note_add(young_person=young_person, author=actor, subject=what, text=f"{what} by {actor.name}: {reason}")
    audit_record(kind=AuditKind.VULNERABILITY_CHANGED, actor=actor, young_person=young_person, obj=young_person,
                 vulnerable=vulnerable, reason=reason)
    _vulnerability_follows_flags(young_person=young_person, actor=actor, reason=reason, today=today)
    return young_person


# --- issue 11 (item 7): flags, R1 re-checked when one changes ------------------------------------------------


def _flag_create(*, young_person: YoungPerson, kind: str, reason: str, actor: Staff, set_on: dt.date) -> Flag:
    flag = Flag.objects.create(young_person=young_person, kind=kind, reason=reason, set_on=set_on, set_by=actor)
    audit_record(kind=AuditKind.FLAG_SET, actor=actor, young_person=young_person, obj=flag, flag_kind=kind,
                 set_on=set_on, reason=reason)
    return flag


def _flag_close(*, flag: Flag, reason: str, actor: Staff, cleared_on: dt.date) -> Flag:
    flag.cleared_on, flag.cleared_by, flag.clear_reason = cleared_on, actor, reason
    flag.save()  # versioned: the flag as set stays in its history
    audit_record(kind=AuditKind.FLAG_CLEARED, actor=actor, young_person=flag.young_person, obj=flag,
                 flag_kind=flag.kind, cleared_on=cleared_on, reason=reason)
    return flag


def _vulnerability_follows_flags(*, young_person: YoungPerson, actor: Staff, reason: str, today: dt.date) -> None:
    """YoungPerson.vulnerable (what R1, E2 and the engine read) is true while a vulnerable or at-risk flag is
    active. When it becomes true, pending and active reduced visits are put up for review (R1); the
    requirements are recomputed (the E2 ladder reads it)."""
    vulnerable = Flag.objects.filter(young_person=young_person, kind__in=VULNERABILITY_FLAGS,
                                     cleared_on__isnull=True).exists()
    if vulnerable != young_person.vulnerable:
        young_person.vulnerable = vulnerable
        young_person.save(update_fields=["vulnerable"])
        if vulnerable:
            for arrangement in Arrangement.objects.filter(young_person=young_person,
                                                          kind=ArrangementKind.REDUCED_VISITS,
                                                          state__in=REVIEWABLE_STATES):
                arrangement_review_request(
                    arrangement=arrangement, actor=actor, today=today,
                    reason=f"{young_person.name} was marked vulnerable or at risk on {british(today)} ({reason}): "
                           "reduced visits are never for a young person who is vulnerable or at risk.")  # R1
    recompute_young_person(young_person, as_of=today)


@transaction.atomic
def flag_set(*, young_person: YoungPerson, kind: str, reason: str, actor: Staff, set_on: dt.date | None = None,
             today: dt.date | None = None) -> Flag:
    """Item 7: a flag on the record (vulnerable, at risk, hazard or lone-working warning, missing episodes,
    exploitation concern), with who set it, when and why. A vulnerable or at-risk flag re-checks pending and
    active reduced visits (R1)."""
    caseload_orders_lock()  # issue 16: before any row lock
    today = today or timezone.localdate()
    young_person = lock(young_person, "pa__team")
    require("careleavers.set_flag", user=actor.user, obj=young_person)
    if kind not in FlagKind.values:
        raise ServiceError("Choose the flag.", field="kind")
    reason = _require_rationale(reason, field="reason")
    set_on = set_on or today
    if set_on > today:
        raise ServiceError(f"The date cannot be in the future (today is {british(today)}).", field="set_on")
    known_from = young_person.allocated_on or young_person.referred_on  # a referral waiting for a PA has no allocation
    if known_from is not None and set_on < known_from - dt.timedelta(days=366):
        raise ServiceError(f"{british(set_on)} is more than a year before {young_person.name} came to the service. "
                           "Check the date.", field="set_on")
    if Flag.objects.filter(young_person=young_person, kind=kind, cleared_on__isnull=True).exists():
        raise InvalidState(f"{young_person.name} already has an active flag: {FlagKind(kind).label.lower()}.",
                           field="kind")
    flag = _flag_create(young_person=young_person, kind=kind, reason=reason, actor=actor, set_on=set_on)
    case_note_add(young_person=young_person, author=actor, subject=f"Flag set: {flag.get_kind_display()}",
                  text=f"Set by {actor.name} from {british(set_on)}: {reason}")
    _vulnerability_follows_flags(young_person=young_person, actor=actor, reason=reason, today=today)
    return flag


@transaction.atomic
def flag_clear(*, flag: Flag, reason: str, actor: Staff, cleared_on: dt.date | None = None,
               today: dt.date | None = None) -> Flag:
    """Item 7: the flag no longer applies, from a date, with why; it stays in the history."""
    caseload_orders_lock()  # issue 16: before any row lock
    today = today or timezone.localdate()
    flag = Flag.objects.select_for_update(of=("self",)).select_related("young_person__pa__team").get(pk=flag.pk)
    young_person = flag.young_person
    require("careleavers.set_flag", user=actor.user, obj=young_person)
    if flag.cleared_on is not None:
        raise InvalidState(f"This flag was cleared on {british(flag.cleared_on)}.")
    reason = _require_rationale(reason, field="reason")
    cleared_on = cleared_on or today
    if cleared_on > today:
        raise ServiceError(f"The date cannot be in the future (today is {british(today)}).", field="cleared_on")
    if cleared_on < flag.set_on:
        raise ServiceError(f"A flag is cleared on or after the day it was set ({british(flag.set_on)}).",
                           field="cleared_on")
    _flag_close(flag=flag, reason=reason, actor=actor, cleared_on=cleared_on)
    case_note_add(young_person=young_person, author=actor, subject=f"Flag cleared: {flag.get_kind_display()}",
                  text=f"Cleared by {actor.name} from {british(cleared_on)}: {reason}")
    _vulnerability_follows_flags(young_person=young_person, actor=actor, reason=reason, today=today)
    return flag


def open_door_letter(*, arrangement: Arrangement, today: dt.date | None = None) -> dict:
    """S2: the "door is always open" letter's content, from the young person's record with the PA's,
    managers' and office contact details."""
    young_person = arrangement.young_person
    return {
        "today": today or timezone.localdate(),
        "yp": young_person,
        "pa": young_person.pa,
        "team_leaders": list(team_leaders_of(young_person)),
        "service_leaders": list(service_leaders()),
        "service_name": settings.SERVICE_NAME,
        "office_address": settings.SERVICE_OFFICE_ADDRESS,
        "office_phone": settings.SERVICE_OFFICE_PHONE,
        "office_email": settings.SERVICE_OFFICE_EMAIL,
    }
