"""Writes for the returns (X1): the in-touch check around a birthday, and the young person's
returns details. Each writes its case note in the same transaction (O2)."""

import datetime as dt

import rules
from django.db import IntegrityError, transaction
from django.utils import timezone

from careleavers.models import CaseNoteKind, Staff, YoungPerson
from careleavers.services import case_note_add, check_can_record
from contacts import codes
from contacts.models import Contact, InTouchCheck
from core.audit import audit_record
from core.errors import InvalidState, NotAllowed, ServiceError, StaleVersion
from core.models import AuditKind

from . import dfe
from .tasks import returns_compute_task
from .windows import window_for

REFUSAL = "Only the young person's Personal Adviser, a cover PA or a manager can record this."


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
    check_can_record(actor=actor, young_person=young_person, permission="returns.record_in_touch_check", message=REFUSAL)
    if date > timezone.localdate():
        raise ServiceError("An in-touch check cannot be dated in the future.", field="date")
    if date < young_person.date_of_birth:
        raise ServiceError("An in-touch check cannot be dated before the young person was born.", field="date")
    if contact is not None and (contact.young_person_id != young_person.pk or contact.voided_at is not None):
        raise ServiceError("That contact is not one of this young person's recorded contacts.", field="contact")
    problems = dfe.check_problems(in_touch=in_touch, activity=activity, accommodation=accommodation,
                                  age=birthday_age_for(young_person, date))
    if problems:
        raise ServiceError(" ".join(problems.values()), reasons=list(problems.values()),
                           field=next(iter(problems)) if len(problems) == 1 else None)
    if InTouchCheck.objects.filter(young_person=young_person, date=date).exists():
        raise InvalidState(f"An in-touch check is already recorded on {date.day} {date:%b %Y}.", field="date")
    try:
        check = InTouchCheck.objects.create(
            young_person=young_person, contact=contact, date=date, in_touch=in_touch, activity=activity,
            accommodation=accommodation, recorded_by=actor,
        )
    except IntegrityError as exc:  # a check saved at the same moment (one_in_touch_check_a_day): a refusal, not a 500
        raise InvalidState(f"An in-touch check was recorded on {date.day} {date:%b %Y} a moment ago, by someone else "
                           "or in another tab. Open the young person's page to see it.", field="date") from exc
    audit_record(kind=AuditKind.IN_TOUCH_CHECK_RECORDED, actor=actor, young_person=young_person, obj=check, date=date,
                 in_touch=in_touch, activity=activity, accommodation=accommodation,
                 contact=contact.pk if contact is not None else None)
    case_note_add(
        young_person=young_person, author=actor, kind=CaseNoteKind.CONTACT,
        subject=f"In-touch check (SSDA903): {codes.IN_TOUCH[in_touch]}",
        # The DfE's codes as the returns print them ("P4: Part-time in an apprenticeship"), not to be read as rule IDs.
        text=(f"In touch: {in_touch} ({codes.IN_TOUCH[in_touch]}). Activity: {activity}: {codes.ACTIVITY[activity]}. "
              f"Accommodation: {accommodation}: {codes.ACCOMMODATION[accommodation]}."),
    )
    return check


RETURNS_FIELDS = ("sex", "ethnicity", "upn", "uasc", "disability")


def returns_details_version(young_person: YoungPerson) -> str:
    """The version the returns details form is read at (its hidden `read_version`): the values it shows."""
    return "|".join(str(getattr(young_person, field)) for field in RETURNS_FIELDS)


@transaction.atomic
def young_person_returns_update(*, young_person: YoungPerson, sex: str, ethnicity: str, upn: str, uasc: bool,
                                disability: bool, actor: Staff, read_version: str | None = None) -> YoungPerson:
    """Sex, ethnicity, UPN, UASC and disability as the DfE and Ofsted returns need them. With `read_version`
    (issue 14, item 5), a save over someone else's later save is refused, saying what they changed."""
    check_can_record(actor=actor, young_person=young_person, permission="returns.edit_details", message=REFUSAL)
    young_person = YoungPerson.objects.select_for_update().get(pk=young_person.pk)
    if read_version and read_version != returns_details_version(young_person):
        then = dict(zip(RETURNS_FIELDS, read_version.split("|"), strict=False))
        reasons = [f"{field.upper() if field in ('upn', 'uasc') else field} is now {getattr(young_person, field)!r}"
                   f" (was {then.get(field, '')!r})"
                   for field in RETURNS_FIELDS if then.get(field) != str(getattr(young_person, field))]
        raise StaleVersion(current=returns_details_version(young_person), reasons=reasons,
                           lead="Someone saved these details after you opened the form; nothing was saved")
    upn = upn.strip().upper()
    if sex and sex not in dfe.SEX_CODES:
        raise ServiceError(f"{sex!r} is not a DfE sex code (M, F or U).", field="sex")
    if ethnicity and ethnicity not in codes.ETHNICITY:
        raise ServiceError(f"{ethnicity!r} is not a DfE ethnicity code.", field="ethnicity")
    if upn and not dfe.upn_is_valid(upn):
        raise ServiceError("A UPN is a letter, 11 digits and a digit or letter (13 characters), or UN2 to UN5.",
                           field="upn")
    values = {"sex": sex, "ethnicity": ethnicity, "upn": upn, "uasc": uasc, "disability": disability}
    changed = {k: v for k, v in values.items() if getattr(young_person, k) != v}
    if not changed:
        return young_person
    for key, value in changed.items():
        setattr(young_person, key, value)
    young_person.save()  # save(), not update(): the change is versioned
    audit_record(kind=AuditKind.RETURNS_DETAILS_UPDATED, actor=actor, young_person=young_person, obj=young_person,
                 changed=changed)
    case_note_add(
        young_person=young_person, author=actor, subject="Returns details updated",
        text="Changed: " + ", ".join(f"{k.upper() if k in ('upn', 'uasc') else k} = {v!r}" for k, v in changed.items()),
    )
    return young_person


# --- Issue 16, item 2: the stored returns worked out again on demand -------------------------------

def returns_recompute_request(*, actor: Staff, year: int) -> None:
    """A Service Leader's "Recompute now": audited, and the task is queued once the request commits
    (the page answers at once; it shows the new result when the task has stored it)."""
    if not rules.has_perm("returns.recompute", actor.user):
        raise NotAllowed("Only a Service Leader asks for the returns to be worked out again.")
    with transaction.atomic():
        audit_record(kind=AuditKind.RETURNS_RECOMPUTE_REQUESTED, actor=actor, year=year)
        run = f"asked for by {actor.name}"
        transaction.on_commit(lambda: returns_compute_task.delay(year, run))
