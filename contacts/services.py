"""Writes to contacts, home-visit checklists and escalation steps (C1-C3, E1-E2, S5).

Every write that changes what meets a requirement recomputes the young person's stored
requirement rows in the same transaction, so the page that follows shows the new due date.
"""

import datetime as dt

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
from careleavers.services import case_note_add, check_can_record, check_record_date, notify
from compliance.engine import recompute_young_person
from core.audit import audit_record
from core.dates import british
from core.errors import InvalidState, NotAllowed, ServiceError
from core.models import AuditKind

from .models import Contact, Escalation, EscalationStep, Method, Outcome, Purpose, VisitCheck, With

VISIT_CHECK_FIELDS = ("health_and_safety", "furnishings_and_kitchen", "occupancy", "trend")
#: C3: the extra items of a B&B or hostel.
SHORT_TERM_CHECK_FIELDS = ("cooking", "laundry", "house_rules", "overall_suitability")


def needs_visit_check(*, method: str, with_whom: str, outcome: str) -> bool:
    """C3/T6: a completed home visit with the young person records the living environment."""
    return method == Method.HOME_VISIT and with_whom == With.YOUNG_PERSON and outcome == Outcome.COMPLETED


def needs_short_term_items(young_person: YoungPerson) -> bool:
    return young_person.accommodation in SHORT_TERM_ACCOMMODATION


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
    today: dt.date | None = None,
) -> Contact:
    """Record a contact or an attempt (C1, C2) with its home-visit checklist (C3) and bring the
    young person's requirements up to date in the same transaction (V3)."""
    check_can_record(actor=actor, young_person=young_person, permission="contacts.log_contact")
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

    check_values = None
    if needs_visit_check(method=method, with_whom=with_whom, outcome=outcome):
        wanted = VISIT_CHECK_FIELDS + (SHORT_TERM_CHECK_FIELDS if needs_short_term_items(young_person) else ())
        visit_check = visit_check or {}
        missing = [name for name in wanted if not visit_check.get(name)]
        if missing:
            label = VisitCheck._meta.get_field(missing[0]).verbose_name
            raise ServiceError(f"A completed home visit records the living-environment check: {label} is missing.",
                               field=missing[0])
        check_values = {name: visit_check.get(name, "") for name in wanted}
        check_values["notes"] = visit_check.get("notes", "")

    contact = Contact.objects.create(
        young_person=young_person, date=date, time=time, method=method, with_whom=with_whom,
        third_party_name=third_party_name.strip(), outcome=outcome, purpose=purpose, note=note, recorded_by=actor,
    )
    if check_values is not None:
        VisitCheck.objects.create(contact=contact, **check_values)
    audit_record(kind=AuditKind.CONTACT_LOGGED, actor=actor, young_person=young_person, obj=contact,
                 date=date, method=method, with_whom=with_whom, outcome=outcome, purpose=purpose,
                 visit_check=check_values is not None)
    recompute_young_person(young_person)
    return contact


@transaction.atomic
def contact_void(*, contact: Contact, actor: Staff, reason: str) -> Contact:
    """A contact recorded in error is voided, never deleted; the engine then ignores it."""
    young_person = contact.young_person
    check_can_record(actor=actor, young_person=young_person, permission="contacts.void_contact")
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
    check_can_record(actor=actor, young_person=young_person, permission="contacts.record_escalation")
    if step not in EscalationStep.values:
        raise ServiceError("Choose the escalation step taken.", field="step")
    check_record_date(young_person=young_person, date=date, today=today, what="escalation step")
    if contact is not None and contact.young_person_id != young_person.pk:
        raise NotAllowed("That contact belongs to another young person.")
    if step == EscalationStep.MISSING_REPORT_CONSIDERED and not note.strip():
        raise ServiceError("Record what was considered and the decision about a missing-person report.", field="note")
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
