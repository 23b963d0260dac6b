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
    Role,
    Staff,
    YoungPerson,
)
from careleavers.services import case_note_add, check_can_record, check_record_date, notify
from compliance.engine import recompute_young_person
from core.dates import british
from core.errors import FieldError, InvalidState, NotAllowed

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
    check_can_record(actor=actor, young_person=young_person)
    if method not in Method.values:
        raise FieldError("method", "Choose how the contact was made.")
    if with_whom not in With.values:
        raise FieldError("with_whom", "Choose who the contact was with.")
    if outcome not in Outcome.values:
        raise FieldError("outcome", "Choose the outcome of the contact.")
    if purpose not in Purpose.values:
        raise FieldError("purpose", "Choose a purpose from the list.")
    check_record_date(young_person=young_person, date=date, time=time, today=today)
    if with_whom == With.THIRD_PARTY and not third_party_name.strip():
        raise FieldError("third_party_name", "Name the third party the contact was with.")

    check_values = None
    if needs_visit_check(method=method, with_whom=with_whom, outcome=outcome):
        wanted = VISIT_CHECK_FIELDS + (SHORT_TERM_CHECK_FIELDS if needs_short_term_items(young_person) else ())
        visit_check = visit_check or {}
        missing = [name for name in wanted if not visit_check.get(name)]
        if missing:
            label = VisitCheck._meta.get_field(missing[0]).verbose_name
            raise FieldError(missing[0], f"A completed home visit records the living-environment check: {label} is missing.")
        check_values = {name: visit_check.get(name, "") for name in wanted}
        check_values["notes"] = visit_check.get("notes", "")

    contact = Contact.objects.create(
        young_person=young_person, date=date, time=time, method=method, with_whom=with_whom,
        third_party_name=third_party_name.strip(), outcome=outcome, purpose=purpose, note=note, recorded_by=actor,
    )
    if check_values is not None:
        VisitCheck.objects.create(contact=contact, **check_values)
    recompute_young_person(young_person)
    return contact


@transaction.atomic
def contact_void(*, contact: Contact, actor: Staff, reason: str) -> Contact:
    """A contact recorded in error is voided, never deleted; the engine then ignores it."""
    young_person = contact.young_person
    check_can_record(actor=actor, young_person=young_person)
    if contact.voided_at is not None:
        raise InvalidState("This contact has already been marked as recorded in error.")
    reason = reason.strip()
    if not reason:
        raise FieldError("reason", "Say why the contact was recorded in error.")
    contact.voided_at = timezone.now()
    contact.voided_by = actor
    contact.void_reason = reason[:300]
    contact.save()  # audited model: save, never update()
    case_note_add(
        young_person=young_person, author=actor, kind=CaseNoteKind.CONTACT,
        subject=f"Contact recorded in error: {contact}", text=reason,
    )
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
    check_can_record(actor=actor, young_person=young_person)
    if step not in EscalationStep.values:
        raise FieldError("step", "Choose the escalation step taken.")
    check_record_date(young_person=young_person, date=date, today=today, what="escalation step")
    if contact is not None and contact.young_person_id != young_person.pk:
        raise NotAllowed("That contact belongs to another young person.")
    if step == EscalationStep.MISSING_REPORT_CONSIDERED and not note.strip():
        raise FieldError("note", "Record what was considered and the decision about a missing-person report.")
    escalation = Escalation.objects.create(
        young_person=young_person, step=step, date=date, note=note, contact=contact, recorded_by=actor
    )
    label = EscalationStep(step).label
    case_note_add(
        young_person=young_person, author=actor, kind=CaseNoteKind.ESCALATION,
        subject=f"{label} on {british(date)}", text=note or label,
    )
    if step in STEPS_MANAGERS_HEAR_OF and young_person.pa is not None:
        leaders = Staff.objects.filter(role=Role.TEAM_LEADER, team_id=young_person.pa.team_id).select_related("user")
        notify(
            recipients=[s for s in leaders if s.pk != actor.pk], kind="escalation",
            message=f"{young_person.name} ({young_person.ref}): {label.lower()}, recorded by {actor.name}.",
            url=reverse("young_person", args=[young_person.pk]), young_person=young_person,
        )
    return escalation
