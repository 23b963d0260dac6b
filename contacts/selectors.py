"""Reads about contacts: what the next escalation step is when contacts go unanswered (E1, E2, T3: the
ladders are pack data), and the management-oversight items a manager sees (S5)."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, QuerySet
from django.http import Http404

from careleavers.models import YoungPerson
from careleavers.selectors import young_people_visible_to
from compliance.models import PolicyPack
from compliance.packs import active_pack
from core.dates import british

from .models import Contact, Escalation, EscalationStep, Method, Outcome, OversightItem, With

#: An attempt the young person did not answer (C2: recorded, counts towards escalation only).
MISSED = (Outcome.NO_RESPONSE, Outcome.CANCELLED_BY_YP)
THIRD_PARTIES = (With.THIRD_PARTY, With.LEAD_SOCIAL_WORKER, With.FAMILY)


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
    #: Every step of the ladder is taken and the young person is still unanswered: the last step (for a
    #: vulnerable young person the missing-person step) is offered again, never nothing (E1/E2).
    exhausted: bool = False


@dataclass(frozen=True)
class Rung:
    step: str
    rule: str


def ladder_for(young_person: YoungPerson, pack: PolicyPack) -> list[Rung]:
    """The pack's ladder (E1, E2; T3 under tower_hamlets for 18+ and settled) for the young person's
    circumstance, else its '*' ladder; rungs marked for vulnerable (or not vulnerable) young people only
    are kept or dropped by the young person's flag."""
    ladders: list[dict[str, Any]] = pack.escalation_ladder or []
    by_circumstance = {x["circumstance"]: x for x in ladders}
    ladder = by_circumstance.get(young_person.circumstance) or by_circumstance.get("*") or {"steps": []}
    return [Rung(r["step"], r["rule"]) for r in ladder["steps"]
            if r.get("vulnerable") is None or r["vulnerable"] == young_person.vulnerable]


#: A contact after the first missed one can itself be a rung: the steps it can be, the first one the ladder has.
_IMPLIED: dict[str, tuple[str, ...]] = {
    Method.PHONE: (EscalationStep.PHONE_CALL,),
    Method.LETTER: (EscalationStep.LETTER, EscalationStep.WRITTEN),
    Method.EMAIL: (EscalationStep.WRITTEN, EscalationStep.LETTER),
    Method.TEXT: (EscalationStep.WRITTEN, EscalationStep.LETTER),
    Method.CARD: (EscalationStep.CARD_LEFT,),
    Method.UNANNOUNCED_VISIT: (EscalationStep.UNANNOUNCED_VISIT, EscalationStep.CARD_LEFT),
}


def _implied_step(contact: Contact, steps: list[str]) -> str | None:
    """A contact recorded after the first missed one can itself be the next rung."""
    if contact.with_whom in THIRD_PARTIES:
        return EscalationStep.THIRD_PARTY
    if contact.with_whom != With.YOUNG_PERSON:
        return None
    return next((s for s in _IMPLIED.get(contact.method, ()) if s in steps), None)


def _advice(step: str, young_person: YoungPerson, since: dt.date) -> str:
    name = young_person.name
    advice: dict[str, str] = {
        EscalationStep.PHONE_CALL: f"Phone {name} about the contact missed on {since.day} {since:%b %Y}.",
        EscalationStep.LETTER: f"Write to {name} offering a new appointment with a date and time.",
        EscalationStep.THIRD_PARTY: (
            "Still no response: involve a third party (line manager, social worker, probation, health or key worker)."
        ),
        EscalationStep.UNANNOUNCED_VISIT: f"Make an unannounced visit to {name}.",
        EscalationStep.WRITTEN: f"No answer to the phone contact: write to, text or email {name}.",
        EscalationStep.CARD_LEFT: f"Still no answer: call on {name} and leave a card or a note.",
        EscalationStep.LINE_MANAGER: "Still no contact: discuss the next steps with your line manager now.",
        EscalationStep.MISSING_REPORT_CONSIDERED: (
            f"Still no contact after an unannounced visit, and {name} is vulnerable. If this is out of character, "
            "consider reporting them missing to the police, and record the decision."
        ),
    }
    return advice.get(step, EscalationStep(step).label)


def next_escalation_step(
    *,
    young_person: YoungPerson,
    contacts: Iterable[Contact] | None = None,
    escalations: Iterable[Escalation] | None = None,
    pack: PolicyPack | None = None,
) -> NextStep | None:
    """The next step when contacts with the young person go unanswered, or None when they are in touch.

    The ladder is the active pack's (E1, E2, T3). It restarts whenever a contact with the young person
    is completed. Recorded escalation steps and contacts that are themselves a rung (a phone call, a
    letter, a third party, an unannounced visit) move it on; the next step is the one after the highest
    rung reached. It never dead-ends: with every rung taken and the young person still unanswered, the
    last step is offered again (for a vulnerable young person, the missing-person step).
    Three queries (contacts, the pack, steps) unless the caller passes the records.
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
    ladder = ladder_for(young_person, pack or active_pack())
    steps = [r.step for r in ladder]
    if escalations is None:
        escalations = Escalation.objects.filter(young_person=young_person, date__gte=since).only("step", "date")
    taken = [e.step for e in sorted(escalations, key=lambda e: e.date) if e.date >= since]
    taken += [s for c in contacts if c.date >= since and c.pk != missed[0].pk and (s := _implied_step(c, steps))]

    reached = max((steps.index(s) for s in taken if s in steps), default=-1)
    exhausted = reached + 1 >= len(steps)
    if not exhausted:
        rung = ladder[reached + 1]
    elif young_person.vulnerable:
        rung = Rung(EscalationStep.MISSING_REPORT_CONSIDERED, "E2")  # E2: out of character and vulnerable
    elif ladder:
        rung = ladder[-1]
    else:
        rung = Rung(EscalationStep.LINE_MANAGER, "E2")  # a pack without a ladder still never leaves the PA alone
    advice = _advice(rung.step, young_person, since)
    if exhausted:
        advice = (f"Every step has been taken and {young_person.name} has still not answered since "
                  f"{british(since)}. {advice}")
    return NextStep(
        step=rung.step,
        rule=rung.rule,
        label=EscalationStep(rung.step).label,
        advice=advice,
        since=since,
        attempts=len(missed),
        rearrange=missed[-1].outcome == Outcome.CANCELLED_BY_YP,
        missing_prompt=rung.step == EscalationStep.MISSING_REPORT_CONSIDERED,
        taken=tuple(dict.fromkeys(taken)),
        exhausted=exhausted,
    )


# --- Management oversight (S5) -------------------------------------------------------------------


def oversight_items_visible_to(user) -> QuerySet[OversightItem]:
    """The items about the young people the user sees: open ones first, newest first."""
    return (
        OversightItem.objects.filter(young_person__in=young_people_visible_to(user))
        .select_related("young_person", "answered_by")
        .order_by(F("answered_at").asc(nulls_first=True), "-opened_on", "-id")
    )


def oversight_item_for(user, *, pk: int) -> OversightItem:
    """The item if the user sees its young person, else 404."""
    try:
        return oversight_items_visible_to(user).get(pk=pk)
    except (OversightItem.DoesNotExist, ValueError) as exc:
        raise Http404("No such item.") from exc
