"""issue 15, item 5: what a Team Leader or Service Leader needs beside a decision (an arrangement's approval or
agreement, a plan's sign-off): the young person's age, legal status, circumstance and accommodation, flags, recent
contacts and any unanswered run, escalation steps since they were last reached, recent events, open arrangements and
the current plan. One selector, eight queries whatever the size of the record; registered in core.registry
(casework.apps) so the decision pages, which sit below casework, ask for it without importing it.

Flags are the record's active flags (issue 11, item 7: who set them, when and why) and the standing facts
(support to 25, UASC, disability, no PA service); the accommodation is the period open today with its
suitability (issue 11, item 3), or the record's accommodation where no history is held."""

import datetime as dt

from django.db.models import Q

from approvals.models import PENDING_STATES, Arrangement, ArrangementState
from careleavers.models import AccommodationPeriod, Flag, YoungPerson
from compliance.models import Requirement
from compliance.selectors import requirements_with_status
from contacts.models import Contact, Escalation, Outcome
from core.dates import age_on, british
from pathway.models import PathwayPlan, PlanState

RECENT_CONTACTS = 5
RECENT_EVENTS = 5
#: Enough contacts to see an unanswered run of any length the packs use (E3: "several", default 3).
CONTACTS_READ = 12
UNANSWERED = (Outcome.NO_RESPONSE, Outcome.CANCELLED_BY_YP)  # E3: a decline is an answer; the PA's cancellation is neither


def flags_for(young_person: YoungPerson, *, today: dt.date) -> list[str]:
    """The flags a decision-maker weighs (R1: never if vulnerable or at risk): the active flags first, with when
    they were set (one query), then the standing facts of the record."""
    active = Flag.objects.filter(young_person=young_person, cleared_on__isnull=True, set_on__lte=today).order_by("set_on")
    flags = [f"{flag.get_kind_display()} (since {british(flag.set_on)})" for flag in active]
    if young_person.vulnerable and not flags:
        flags.append("Vulnerable or at risk")
    if young_person.extended_support:
        flags.append("Wants support to 25")
    if young_person.uasc:
        flags.append("Unaccompanied asylum seeker (UASC)")
    if young_person.disability:
        flags.append("Disability")
    if not young_person.pa_service:
        flags.append("No PA service")  # T9
    return flags


def accommodation_for(young_person: YoungPerson, *, today: dt.date) -> str:
    """The accommodation open today (issue 11, item 3), with its suitability and since when (one query)."""
    period = (AccommodationPeriod.objects.filter(young_person=young_person, start__lte=today)
              .filter(Q(end__isnull=True) | Q(end__gt=today)).order_by("-start", "-id").first())
    if period is None:
        return young_person.get_accommodation_display() if young_person.accommodation else "Not recorded"
    if period.suitable:
        suitability = "suitable"
    else:
        suitability = f"not suitable: {period.unsuitable_reason}" if period.unsuitable_reason else "not suitable"
    return f"{period.get_code_display()}, since {british(period.start)} ({suitability})"


def unanswered_streak(contacts: list[Contact]) -> int:
    """E3: contacts in a row, newest first, the young person did not respond to (PA cancellations skipped)."""
    streak = 0
    for contact in contacts:
        if contact.outcome == Outcome.CANCELLED_BY_PA:
            continue
        if contact.outcome not in UNANSWERED:
            break
        streak += 1
    return streak


def decision_context_for(*, young_person: YoungPerson, today: dt.date) -> dict:
    # queries: flags / accommodation / contacts / escalation steps / requirements / events / plans / arrangements
    contacts = list(Contact.objects.filter(young_person=young_person, voided_at__isnull=True)
                    .order_by("-date", "-time", "-id")[:CONTACTS_READ])
    last_reached = next((c.date for c in contacts if c.outcome == Outcome.COMPLETED), None)
    escalations = Escalation.objects.filter(young_person=young_person)
    if last_reached is not None:
        escalations = escalations.filter(date__gte=last_reached)
    requirements = list(requirements_with_status(
        Requirement.objects.filter(young_person=young_person), today=today).order_by("due"))
    events = list(young_person.events.filter(voided_at__isnull=True).order_by("-date", "-id")[:RECENT_EVENTS])
    plans = list(PathwayPlan.objects.filter(young_person=young_person).select_related("signed_off_by")
                 .order_by("-version")[:2])
    arrangements = list(Arrangement.objects.filter(
        young_person=young_person, state__in=[*PENDING_STATES, ArrangementState.ACTIVE]).order_by("-id"))
    return {
        "young_person": young_person,
        "age": age_on(young_person.date_of_birth, today),
        "flags": flags_for(young_person, today=today),
        "accommodation": accommodation_for(young_person, today=today),
        "contacts": contacts[:RECENT_CONTACTS],
        "unanswered": unanswered_streak(contacts),
        "escalations": list(escalations.order_by("-date", "-id")[:RECENT_CONTACTS]),
        "requirements": requirements,
        "events": events,
        "current_plan": next((p for p in plans if p.state == PlanState.SIGNED_OFF), None),
        "open_plan": next((p for p in plans if p.state != PlanState.SIGNED_OFF), None),
        "arrangements": arrangements,
    }
