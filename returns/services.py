"""Writes for the returns (X1): the in-touch check around a birthday, and the young person's
returns details. Each writes its case note in the same transaction (O2)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from careleavers.models import CaseNoteKind, Staff, YoungPerson
from careleavers.services import case_note_add
from contacts import codes
from contacts.models import Contact, InTouchCheck
from core.errors import InvalidState, NotAllowed

from . import dfe
from .windows import window_for


def _require_recorder(actor: Staff, young_person: YoungPerson) -> None:
    if actor is None or not actor.user.has_perm("careleavers.record_contact", young_person):
        raise NotAllowed("Only the young person's Personal Adviser, a cover PA or a manager can record this.")


def birthday_age_for(young_person: YoungPerson, day: dt.date) -> int | None:
    """The 17th-21st birthday whose check window contains `day`, if any."""
    for age in dfe.OC3_AGES + dfe.OC3_IN_TOUCH_ONLY_AGES:
        if day in window_for(young_person.date_of_birth, age):
            return age
    return None


@transaction.atomic
def in_touch_check_record(*, young_person: YoungPerson, date: dt.date, in_touch: str, activity: str,
                          accommodation: str, contact: Contact | None = None, actor: Staff) -> InTouchCheck:
    """Record the in-touch check (in touch, activity, accommodation and its suitability) with DfE codes."""
    _require_recorder(actor, young_person)
    if date > timezone.localdate():
        raise InvalidState("An in-touch check cannot be dated in the future.")
    if date < young_person.date_of_birth:
        raise InvalidState("An in-touch check cannot be dated before the young person was born.")
    if contact is not None and (contact.young_person_id != young_person.pk or contact.voided_at is not None):
        raise InvalidState("That contact is not one of this young person's recorded contacts.")
    problems = dfe.check_problems(in_touch=in_touch, activity=activity, accommodation=accommodation,
                                  age=birthday_age_for(young_person, date))
    if problems:
        raise InvalidState(" ".join(problems.values()))
    if InTouchCheck.objects.filter(young_person=young_person, date=date).exists():
        raise InvalidState(f"An in-touch check is already recorded on {date.day} {date:%b %Y}.")
    check = InTouchCheck.objects.create(
        young_person=young_person, contact=contact, date=date, in_touch=in_touch, activity=activity,
        accommodation=accommodation, recorded_by=actor,
    )
    case_note_add(
        young_person=young_person, author=actor, kind=CaseNoteKind.CONTACT,
        subject=f"In-touch check (SSDA903): {codes.IN_TOUCH[in_touch]}",
        text=(f"In touch: {in_touch} ({codes.IN_TOUCH[in_touch]}). Activity: {activity} ({codes.ACTIVITY[activity]}). "
              f"Accommodation: {accommodation} ({codes.ACCOMMODATION[accommodation]})."),
    )
    return check


RETURNS_FIELDS = ("sex", "ethnicity", "upn", "uasc", "disability")


@transaction.atomic
def young_person_returns_update(*, young_person: YoungPerson, sex: str, ethnicity: str, upn: str, uasc: bool,
                                disability: bool, actor: Staff) -> YoungPerson:
    """Sex, ethnicity, UPN, UASC and disability as the DfE and Ofsted returns need them."""
    _require_recorder(actor, young_person)
    upn = upn.strip().upper()
    if sex and sex not in dfe.SEX_CODES:
        raise InvalidState(f"{sex!r} is not a DfE sex code (M, F or U).")
    if ethnicity and ethnicity not in codes.ETHNICITY:
        raise InvalidState(f"{ethnicity!r} is not a DfE ethnicity code.")
    if upn and not dfe.upn_is_valid(upn):
        raise InvalidState("A UPN is a letter, 11 digits and a digit or letter (13 characters), or UN2 to UN5.")
    values = {"sex": sex, "ethnicity": ethnicity, "upn": upn, "uasc": uasc, "disability": disability}
    changed = {k: v for k, v in values.items() if getattr(young_person, k) != v}
    if not changed:
        return young_person
    for key, value in changed.items():
        setattr(young_person, key, value)
    young_person.save()  # save(), not update(): the change is versioned
    case_note_add(
        young_person=young_person, author=actor, subject="Returns details updated",
        text="Changed: " + ", ".join(f"{k.upper() if k in ('upn', 'uasc') else k} = {v!r}" for k, v in changed.items()),
    )
    return young_person
