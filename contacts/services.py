"""Writes to contacts, home-visit checklists, escalation steps and management-oversight items (C1-C3,
E1-E2, S5).

Every write that changes what meets a requirement recomputes the young person's stored
requirement rows in the same transaction, so the page that follows shows the new due date.
"""

import datetime as dt

import rules
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from careleavers.models import (
    SHORT_TERM_ACCOMMODATION,
    CaseNoteKind,
    Staff,
    YoungPerson,
)
from careleavers.selectors import team_leaders_of
from careleavers.services import case_note_add, check_record_date, notify
from compliance.checkpoints import caseload_orders_lock
from compliance.engine import recompute_young_person
from core.audit import audit_record
from core.dates import british
from core.errors import InvalidState, NotAllowed, ServiceError, StaleVersion
from core.models import AuditKind
from core.transitions import lock, require

from .models import (
    Contact,
    ContactCorrection,
    Escalation,
    EscalationStep,
    Method,
    Outcome,
    OversightItem,
    OversightKind,
    Purpose,
    VisitCheck,
    With,
)


class ChecklistIncomplete(ServiceError):
    """C3: a completed home visit without every answer of its living-environment check; `missing` has, per question
    left unanswered, what to do about it (issue 15, item 3: all of them at once)."""

    def __init__(self, message: str, *, field: str, missing: dict[str, str]) -> None:
        super().__init__(message, field=field)
        self.missing = missing


VISIT_CHECK_FIELDS = ("health_and_safety", "furnishings_and_kitchen", "occupancy", "trend")
#: C3: the extra items of a B&B or hostel.
SHORT_TERM_CHECK_FIELDS = ("cooking", "laundry", "house_rules", "overall_suitability")


def needs_visit_check(*, method: str, with_whom: str, outcome: str) -> bool:
    """C3/T6: a completed home visit with the young person records the living environment."""
    return method == Method.HOME_VISIT and with_whom == With.YOUNG_PERSON and outcome == Outcome.COMPLETED


def needs_short_term_items(young_person: YoungPerson) -> bool:
    return young_person.accommodation in SHORT_TERM_ACCOMMODATION


def visit_check_missing(*, young_person: YoungPerson, visit_check: dict | None) -> dict[str, str]:
    """C3: per question of the living-environment check left unanswered, what to do about it (issue 15, item 3:
    every missing answer at once, each next to its own question). Empty when every answer is there."""
    wanted = VISIT_CHECK_FIELDS + (SHORT_TERM_CHECK_FIELDS if needs_short_term_items(young_person) else ())
    labels = {name: str(getattr(VisitCheck._meta.get_field(name), "verbose_name", name))
              for name in wanted if not (visit_check or {}).get(name)}
    return {name: f"Choose an answer for {label[:1].lower() + label[1:]}." for name, label in labels.items()}


def _visit_offered(*, purpose: str, offered_date: dt.date | None, offered_time: dt.time | None):
    """S5: a keeping-in-touch offer is of a visit with a date and time; other contacts offer none."""
    if purpose != Purpose.KIT_OFFER:
        return None, None
    if offered_date is None:
        raise ServiceError("Give the date of the visit offered.", field="offered_date")  # S5
    if offered_time is None:
        raise ServiceError("Give the time of the visit offered.", field="offered_time")  # S5
    return offered_date, offered_time


@transaction.atomic
def contact_log(
    *,
    young_person: YoungPerson,
    actor: Staff,
    date: dt.date,
    method: str,
    outcome: str,
    with_whom: str = With.YOUNG_PERSON,
    time: dt.time | None = None,
    third_party_name: str = "",
    purpose: str = Purpose.NONE,
    note: str = "",
    visit_check: dict | None = None,
    offered_date: dt.date | None = None,
    offered_time: dt.time | None = None,
    today: dt.date | None = None,
) -> Contact:
    """Record a contact or an attempt (C1, C2) with its home-visit checklist (C3) and bring the
    young person's requirements up to date in the same transaction (V3). A keeping-in-touch offer
    names the date and time of the visit offered; the third offer declined in a row opens a
    management-oversight item for the Team Leader (S5)."""
    caseload_orders_lock()  # issue 16: before any row lock
    require("contacts.log_contact", user=actor.user, obj=young_person)
    if method not in Method.values:
        raise ServiceError("Choose how the contact was made.", field="method")
    if with_whom not in With.values:
        raise ServiceError("Choose who the contact was with.", field="with_whom")
    if outcome not in Outcome.values:
        raise ServiceError("Choose the outcome of the contact.", field="outcome")
    if purpose not in Purpose.values:
        raise ServiceError("Choose a purpose from the list.", field="purpose")
    check_record_date(young_person=young_person, date=date, time=time, today=today)
    if with_whom == With.THIRD_PARTY and not third_party_name.strip():
        raise ServiceError("Name the third party the contact was with.", field="third_party_name")
    offered_date, offered_time = _visit_offered(purpose=purpose, offered_date=offered_date, offered_time=offered_time)

    check_values = None
    if needs_visit_check(method=method, with_whom=with_whom, outcome=outcome):
        wanted = VISIT_CHECK_FIELDS + (SHORT_TERM_CHECK_FIELDS if needs_short_term_items(young_person) else ())
        visit_check = visit_check or {}
        missing = visit_check_missing(young_person=young_person, visit_check=visit_check)
        if missing:
            labels = [str(getattr(VisitCheck._meta.get_field(name), "verbose_name", name)) for name in missing]
            raise ChecklistIncomplete(
                "A completed home visit records the living-environment check: "
                + "; ".join(f"{label} is missing" for label in labels) + ".",
                field=next(iter(missing)), missing=missing,
            )
        check_values = {name: visit_check.get(name, "") for name in wanted}
        check_values["notes"] = visit_check.get("notes", "")

    contact = Contact.objects.create(
        young_person=young_person, date=date, time=time, method=method, with_whom=with_whom,
        third_party_name=third_party_name.strip(), outcome=outcome, purpose=purpose, note=note, recorded_by=actor,
        offered_date=offered_date, offered_time=offered_time,
    )
    if check_values is not None:
        VisitCheck.objects.create(contact=contact, **check_values)
    audit_record(kind=AuditKind.CONTACT_LOGGED, actor=actor, young_person=young_person, obj=contact,
                 date=date, method=method, with_whom=with_whom, outcome=outcome, purpose=purpose,
                 visit_check=check_values is not None, offered_date=offered_date, offered_time=offered_time)
    if purpose == Purpose.KIT_OFFER and outcome == Outcome.DECLINED:
        _open_item_on_repeated_declines(young_person=young_person, contact=contact, actor=actor)
    recompute_young_person(young_person)
    return contact


#: S5: "repeated declines are recorded under management oversight": this many offers declined in a row.
KIT_DECLINES_FOR_OVERSIGHT = 3


def _open_item_on_repeated_declines(*, young_person: YoungPerson, contact: Contact, actor: Staff) -> OversightItem | None:
    """S5: the last keeping-in-touch offers, by date, all declined: one item per run of declines."""
    offers = list(
        Contact.objects.filter(young_person=young_person, purpose=Purpose.KIT_OFFER, voided_at__isnull=True)
        .order_by("-date", "-time", "-id").values_list("pk", "outcome", "date")
    )
    run = []
    for pk, outcome, _ in offers:
        if outcome != Outcome.DECLINED:
            break
        run.append(pk)
    if len(run) < KIT_DECLINES_FOR_OVERSIGHT:
        return None
    if OversightItem.objects.filter(young_person=young_person, kind=OversightKind.KIT_DECLINES, contact_id__in=run).exists():
        return None  # this run of declines is already with the Team Leader
    dates = ", ".join(british(d) for pk, _, d in reversed(offers[:len(run)]))
    item = OversightItem.objects.create(
        young_person=young_person, kind=OversightKind.KIT_DECLINES, opened_on=contact.date, contact=contact,
        reason=f"{young_person.name} has declined {len(run)} keeping-in-touch offers in a row ({dates}).",  # S5
    )
    case_note_add(young_person=young_person, author=actor, kind=CaseNoteKind.OVERSIGHT,
                  subject="Management oversight: keeping-in-touch offers declined", text=item.reason)  # S5
    audit_record(kind=AuditKind.OVERSIGHT_ITEM_OPENED, actor=actor, young_person=young_person, obj=item,
                 item_kind=item.kind, declines=len(run))
    notify(
        recipients=team_leaders_of(young_person), kind="oversight_item",
        message=f"{young_person.name} ({young_person.ref}): {len(run)} keeping-in-touch offers declined in a row. "
                "Please record your oversight.",  # S5
        url=reverse("contacts:oversight_item", args=[item.pk]), young_person=young_person,
    )
    return item


@transaction.atomic
def oversight_item_answer(*, item: OversightItem, actor: Staff, answer: str) -> OversightItem:
    """The Team Leader's answer to a management-oversight item (S5): recorded once and kept."""
    item = (OversightItem.objects.select_for_update(of=("self",))
            .select_related("young_person", "young_person__pa").get(pk=item.pk))
    young_person = item.young_person
    if actor is None or not rules.has_perm("contacts.answer_oversight_item", actor.user, young_person):
        raise NotAllowed("Only the young person's Team Leader answers a management-oversight item.")
    if not item.is_open:
        raise InvalidState("This item has already been answered.")
    answer = answer.strip()
    if not answer:
        raise ServiceError("Record your oversight: what you considered and what happens next.", field="answer")
    item.answer, item.answered_by, item.answered_at = answer, actor, timezone.now()
    item.save()  # audited model: save, never update()
    case_note_add(young_person=young_person, author=actor, kind=CaseNoteKind.OVERSIGHT,
                  subject=f"Management oversight answered: {item.get_kind_display()}", text=answer)
    audit_record(kind=AuditKind.OVERSIGHT_ITEM_ANSWERED, actor=actor, young_person=young_person, obj=item,
                 item_kind=item.kind)
    return item


@transaction.atomic
def contact_void(*, contact: Contact, actor: Staff, reason: str) -> Contact:
    """A contact recorded in error is voided, never deleted; the engine then ignores it. Whoever recorded
    it (while a PA on the case) or the allocated PA's Team Leader voids it, with a reason (issue 14); the
    PA, and whoever recorded it, are told."""
    caseload_orders_lock()  # issue 16: before any row lock
    contact = lock(contact, "young_person__pa__team", "recorded_by__user")
    young_person = contact.young_person
    require("contacts.void_contact", user=actor.user, obj=contact)
    if contact.voided_at is not None:
        raise InvalidState("This contact has already been marked as recorded in error.")
    reason = reason.strip()
    if not reason:
        raise ServiceError("Say why the contact was recorded in error.", field="reason")
    contact.voided_at = timezone.now()
    contact.voided_by = actor
    contact.void_reason = reason[:300]
    contact.save()  # audited model: save, never update()
    case_note_add(
        young_person=young_person, author=actor, kind=CaseNoteKind.CONTACT,
        subject=f"Contact recorded in error: {contact}", text=reason,
    )
    audit_record(kind=AuditKind.CONTACT_VOIDED, actor=actor, young_person=young_person, obj=contact, reason=contact.void_reason)
    recompute_young_person(young_person)
    notify(
        recipients=[s for s in (young_person.pa, contact.recorded_by) if s is not None and s.pk != actor.pk],
        kind="contact_voided", url=reverse("young_person", args=[young_person.pk]), young_person=young_person,
        message=f"{actor.name} marked a contact with {young_person.name} on {british(contact.date)} as recorded in "
                f"error: {contact.void_reason}",
    )
    return contact


#: Steps a manager is told about as soon as they are recorded.
STEPS_MANAGERS_HEAR_OF = (EscalationStep.MISSING_REPORT_CONSIDERED, EscalationStep.MISSING_REPORTED)


@transaction.atomic
def escalation_record(
    *,
    young_person: YoungPerson,
    actor: Staff,
    step: str,
    date: dt.date,
    note: str = "",
    contact: Contact | None = None,
    today: dt.date | None = None,
) -> Escalation:
    """Each escalation step is a recorded, dated event on the record, with its case note (E)."""
    require("contacts.record_escalation", user=actor.user, obj=young_person)
    if step not in EscalationStep.values:
        raise ServiceError("Choose the escalation step taken.", field="step")
    check_record_date(young_person=young_person, date=date, today=today, what="escalation step")
    if contact is not None and contact.young_person_id != young_person.pk:
        raise NotAllowed("That contact belongs to another young person.")
    if step == EscalationStep.MISSING_REPORT_CONSIDERED and not note.strip():
        raise ServiceError("Record what was considered and the decision about a missing-person report.", field="note")
    if not note.strip():  # E1/E2: every step is written up, not only ticked
        raise ServiceError("Write a case note for the step: what you did and what happens next.", field="note")
    escalation = Escalation.objects.create(
        young_person=young_person, step=step, date=date, note=note, contact=contact, recorded_by=actor
    )
    label = EscalationStep(step).label
    case_note_add(
        young_person=young_person, author=actor, kind=CaseNoteKind.ESCALATION,
        subject=f"{label} on {british(date)}", text=note or label,
    )
    audit_record(kind=AuditKind.ESCALATION_RECORDED, actor=actor, young_person=young_person, obj=escalation,
                 step=step, date=date, contact=contact.pk if contact is not None else None)
    if step in STEPS_MANAGERS_HEAR_OF and young_person.pa is not None:
        leaders = team_leaders_of(young_person)
        notify(
            recipients=[s for s in leaders if s.pk != actor.pk], kind="escalation",
            message=f"{young_person.name} ({young_person.ref}): {label.lower()}, recorded by {actor.name}.",
            url=reverse("young_person", args=[young_person.pk]), young_person=young_person,
        )
    return escalation


# --- Issue 12, item 5: correcting a contact ------------------------------------------------------------------

#: What a correction may change (C1); who the contact was with, its purpose and checklist are not corrected: a
#: contact that was something else altogether is voided and recorded again.
CORRECTABLE_FIELDS = ("date", "time", "method", "outcome", "note")


def contact_version(contact: Contact) -> int:
    """The version an edit form is read at: 1 for the contact as first recorded, then one more per correction."""
    return 1 + ContactCorrection.objects.filter(contact=contact).count()


def _plain(value) -> str | None:
    """A value as the correction row keeps it: dates ISO, times to the minute."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value)


@transaction.atomic
def contact_correct(*, contact: Contact, actor: Staff, version: int, reason: str, date: dt.date,
                    time: dt.time | None, method: str, outcome: str, note: str,
                    today: dt.date | None = None) -> ContactCorrection:
    """Correct a contact's date, time, method, outcome or note as a new version with a reason (issue 12, item 5):
    the earlier values are kept in the correction row (and the contact's history), managers see them, and the due
    dates follow the correction in the same transaction (V3). Voiding stays for a contact recorded in error."""
    caseload_orders_lock()  # issue 16: before any row lock
    contact = lock(contact, "young_person__pa__team", "recorded_by__user")
    young_person = contact.young_person
    require("contacts.correct_contact", user=actor.user, obj=contact)
    if contact.voided_at is not None:
        raise InvalidState("This contact was marked as recorded in error: it cannot be corrected.")
    current = contact_version(contact)
    if version != current:
        raise StaleVersion(
            "Someone corrected this contact after you opened it, so your correction was not saved. "
            "Check what it says now and correct it again.", current=str(current))
    reason = reason.strip()
    if not reason:
        raise ServiceError("Say why the contact is being corrected.", field="reason")
    if method not in Method.values:
        raise ServiceError("Choose how the contact was made.", field="method")
    if outcome not in Outcome.values:
        raise ServiceError("Choose the outcome of the contact.", field="outcome")
    check_record_date(young_person=young_person, date=date, time=time, today=today)
    if not note.strip():
        raise ServiceError("A contact keeps its case note: write what happened (reg 8(1)(g)).", field="note")
    has_check = VisitCheck.objects.filter(contact=contact).exists()
    if needs_visit_check(method=method, with_whom=contact.with_whom, outcome=outcome) and not has_check:
        raise ServiceError(
            "A completed home visit records the living-environment check: mark this contact as recorded in error "  # C3
            "and log the home visit with its check.", field="method")
    after = {"date": date, "time": time, "method": method, "outcome": outcome, "note": note}
    before = {name: getattr(contact, name) for name in CORRECTABLE_FIELDS}
    changed = [name for name in CORRECTABLE_FIELDS if before[name] != after[name]]
    if not changed:
        raise ServiceError("Nothing was changed: correct the date, time, how, outcome or note.")
    for name in changed:
        setattr(contact, name, after[name])
    contact.save()  # audited model: save, never update()
    correction = ContactCorrection.objects.create(
        contact=contact, version=current + 1, reason=reason, corrected_by=actor,
        before={name: _plain(before[name]) for name in changed}, after={name: _plain(after[name]) for name in changed},
    )
    case_note_add(young_person=young_person, author=actor, kind=CaseNoteKind.CONTACT,
                  subject=f"Contact corrected: {contact}", text=reason)
    audit_record(kind=AuditKind.CONTACT_CORRECTED, actor=actor, young_person=young_person, obj=contact,
                 version=correction.version, reason=reason, before=correction.before, after=correction.after)
    recompute_young_person(young_person)  # V3: the due dates follow the corrected date, method or outcome
    return correction
