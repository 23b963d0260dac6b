"""Reads about contacts: what the next escalation step is when contacts go unanswered (E1, E2, T3)."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from careleavers.models import YoungPerson

from .models import Contact, Escalation, EscalationStep, Method, Outcome, With

#: An attempt the young person did not answer (C2: recorded, counts towards escalation only).
MISSED = (Outcome.NO_RESPONSE, Outcome.CANCELLED_BY_YP)
#: Writing to the young person: E1's letter, or T3's "write, text or email".
WRITTEN = (Method.LETTER, Method.EMAIL, Method.TEXT)
THIRD_PARTIES = (With.THIRD_PARTY, With.LEAD_SOCIAL_WORKER, With.FAMILY)

#: The rule each step comes from (DOMAIN.md E1, E2, T3).
STEP_RULES = {
    EscalationStep.PHONE_CALL: "E1",
    EscalationStep.LETTER: "E1",
    EscalationStep.THIRD_PARTY: "E2",
    EscalationStep.UNANNOUNCED_VISIT: "E2",
    EscalationStep.LINE_MANAGER: "T3",
    EscalationStep.MISSING_REPORT_CONSIDERED: "E2",
    EscalationStep.MISSING_REPORTED: "E2",
}


@dataclass(frozen=True)
class NextStep:
    step: str
    rule: str
    label: str
    advice: str
    since: dt.date  # the first unanswered contact since the young person was last in touch
    attempts: int  # unanswered contacts since then
    rearrange: bool = False  # E1: the last one was cancelled by the young person, so re-arrange now
    missing_prompt: bool = False  # E2: consider a missing-person report
    taken: tuple[str, ...] = field(default_factory=tuple)


def ladder_for(young_person: YoungPerson) -> list[str]:
    """E1 then E2; the last rung is the missing-person prompt for a vulnerable young person (E2),
    otherwise a discussion with the line manager (T3)."""
    last = EscalationStep.MISSING_REPORT_CONSIDERED if young_person.vulnerable else EscalationStep.LINE_MANAGER
    return [
        EscalationStep.PHONE_CALL,  # E1
        EscalationStep.LETTER,  # E1
        EscalationStep.THIRD_PARTY,  # E2
        EscalationStep.UNANNOUNCED_VISIT,  # E2
        last,
    ]


def _implied_step(contact: Contact) -> str | None:
    """A contact recorded after the first missed one can itself be the next rung."""
    if contact.with_whom in THIRD_PARTIES:
        return EscalationStep.THIRD_PARTY
    if contact.with_whom != With.YOUNG_PERSON:
        return None
    if contact.method == Method.PHONE:
        return EscalationStep.PHONE_CALL
    if contact.method in WRITTEN:
        return EscalationStep.LETTER
    if contact.method == Method.UNANNOUNCED_VISIT:
        return EscalationStep.UNANNOUNCED_VISIT
    return None


def _advice(step: str, young_person: YoungPerson, since: dt.date) -> str:
    name = young_person.name
    return {
        EscalationStep.PHONE_CALL: f"Phone {name} about the contact missed on {since.day} {since:%b %Y}.",
        EscalationStep.LETTER: f"Write to {name} offering a new appointment with a date and time.",
        EscalationStep.THIRD_PARTY: (
            "Still no response: involve a third party (line manager, social worker, probation, health or key worker)."
        ),
        EscalationStep.UNANNOUNCED_VISIT: f"Make an unannounced visit to {name}.",
        EscalationStep.LINE_MANAGER: "Still no contact: discuss the next steps with your line manager.",
        EscalationStep.MISSING_REPORT_CONSIDERED: (
            f"Still no contact after an unannounced visit, and {name} is vulnerable. If this is out of character, "
            "consider reporting them missing to the police, and record the decision."
        ),
    }.get(step, EscalationStep(step).label)


def next_escalation_step(
    *,
    young_person: YoungPerson,
    contacts: Iterable[Contact] | None = None,
    escalations: Iterable[Escalation] | None = None,
) -> NextStep | None:
    """The next step when contacts with the young person go unanswered, or None when they are in touch.

    The ladder restarts whenever a contact with the young person is completed. Recorded escalation
    steps and contacts that are themselves a rung (a phone call, a letter, a third party, an
    unannounced visit) move it on; the next step is the one after the highest rung reached.
    Two queries unless the caller passes the records.
    """
    if contacts is None:
        contacts = Contact.objects.filter(young_person=young_person, voided_at__isnull=True).only(
            "id", "date", "method", "with_whom", "outcome", "voided_at"
        )
    contacts = sorted((c for c in contacts if c.voided_at is None), key=lambda c: (c.date, c.id))
    with_them = [c for c in contacts if c.with_whom == With.YOUNG_PERSON]
    answered = max((c.date for c in with_them if c.outcome == Outcome.COMPLETED), default=None)
    missed = [c for c in with_them if c.outcome in MISSED and (answered is None or c.date > answered)]
    if not missed:
        return None
    since = missed[0].date
    if escalations is None:
        escalations = Escalation.objects.filter(young_person=young_person, date__gte=since).only("step", "date")
    taken = [e.step for e in sorted(escalations, key=lambda e: e.date) if e.date >= since]
    taken += [s for c in contacts if c.date >= since and c.pk != missed[0].pk and (s := _implied_step(c))]

    ladder = ladder_for(young_person)
    reached = max((ladder.index(s) for s in taken if s in ladder), default=-1)
    if reached + 1 >= len(ladder):
        return None  # every rung taken: what happens next is a management decision, recorded as such
    step = ladder[reached + 1]
    return NextStep(
        step=step,
        rule=STEP_RULES[step],
        label=EscalationStep(step).label,
        advice=_advice(step, young_person, since),
        since=since,
        attempts=len(missed),
        rearrange=missed[-1].outcome == Outcome.CANCELLED_BY_YP,
        missing_prompt=step == EscalationStep.MISSING_REPORT_CONSIDERED,
        taken=tuple(dict.fromkeys(taken)),
    )
