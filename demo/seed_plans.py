"""Demo data for issue 13: a structured signed-off pathway plan with actions, and a reduced-visits request
made on a plan version waiting for the Team Leader's sign-off (R3, R4). Built through the services, so each
carries its decisions, case notes and audit events as real use would.

seed_demo calls `seed(today=..., staff_by_role_and_team=..., young_people=[...])` (FEATURE_SEEDS) once the young
people, their histories and the pending work exist (before the final recompute).
"""

import datetime as dt

from django.db import transaction
from django.db.models import Q

from approvals.models import PENDING_STATES, ArrangementState
from careleavers.models import YoungPerson
from careleavers.selectors import team_leaders_of
from core.dates import age_on
from core.errors import ServiceError
from pathway import services
from pathway.models import OPEN_PLAN_STATES, ActionStatus
from pathway.selectors import visit_before_review

STRUCTURED = {
    "participation": "took_part",
    "young_persons_voice": "I want to finish my course and move into my own flat next year.",
    "health_words": "I'm OK. I need to sort out the dentist.", "health": "Registered with a GP; no dentist yet.",
    "education_employment_words": "College is going well.", "education_employment": "Level 2 at college; attendance 92%.",
    "accommodation_words": "I like it here but it's noisy.", "accommodation": "Supported lodgings; suitable.",
    "money_words": "I run out before payday.", "money": "Universal Credit; needs a budget plan.",
    "relationships_words": "I see my sister most weekends.", "relationships": "Good contact with her sister.",
    "practical_skills_words": "I can cook a few things.", "practical_skills": "Cooks basic meals; learning to budget.",
    "identity_words": "", "identity": "Has her birth certificate and passport.",
    "emotional_behavioural_words": "Better than last year.", "emotional_behavioural": "Settled; sees a counsellor monthly.",
    "contingency_plan": "If the lodgings break down, call the duty team the same day: emergency accommodation and a "
                        "visit within a week.",
    "contact_method": "visits", "contact_every_weeks": 6,
    "contact_arrangements": "Visits at home, after college; texts in between.",
}
ACTIONS = [
    {"what": "Register with a dentist", "who": "The young person, with the PA", "status": ActionStatus.IN_PROGRESS,
     "dimension": "health"},
    {"what": "Make a monthly budget together", "who": "Personal Adviser", "status": ActionStatus.NOT_STARTED,
     "dimension": "money"},
    {"what": "Apply for the setting-up-home allowance", "who": "Personal Adviser", "status": ActionStatus.DONE,
     "dimension": "accommodation"},
]
REDUCED_DETAILS = {
    "asked_for_it": True, "low_support_needs": True,
    "wish_and_reasons": "Working full time; would rather text than have visits.",
    "understands_contact_continues": True, "agrees_to_respond": True, "agrees_to_report_changes": True,
    "knows_can_contact_service": True,
}
REDUCED = {
    **STRUCTURED, "contact_method": "contact", "contact_every_weeks": 8,
    "contact_arrangements": "Texts every fortnight and a call at least every 8 weeks.",
    "arrangement_reasons": "Working full time; would rather text than have visits.",
    "arrangement_assessment": "Low support needs: settled tenancy, in work, good family support.",
}


def _candidates(today: dt.date, young_people: list[YoungPerson]) -> list[YoungPerson]:
    """18+, not vulnerable, with a PA, no plan open and no arrangement active or waiting (R1)."""
    ids = [yp.pk for yp in young_people]
    busy = set(YoungPerson.objects.filter(pk__in=ids).filter(
        Q(plans__state__in=OPEN_PLAN_STATES)
        | Q(arrangements__state__in=(*PENDING_STATES, ArrangementState.ACTIVE))).values_list("pk", flat=True))
    return [yp for yp in young_people if yp.pk not in busy and yp.pa_id and not yp.vulnerable
            and age_on(yp.date_of_birth, today) >= 18 and team_leaders_of(yp).exists()]


def _signed_off(yp: YoungPerson, today: dt.date) -> None:
    leader = team_leaders_of(yp).first()
    plan = services.plan_start(young_person=yp, actor=yp.pa)
    services.plan_update(plan=plan, actor=yp.pa, content=STRUCTURED, actions=ACTIONS)
    services.plan_submit(plan=plan, actor=yp.pa, today=today)
    visit = visit_before_review(plan, today=today)
    services.plan_sign_off(plan=plan, actor=leader, today=today, comments="Specific actions; her own words.",
                           no_visit_reason="" if visit.made else "Seen at college last week; visit booked.")


def _reduced_visits_on_plan(yp: YoungPerson, today: dt.date) -> None:
    plan = services.plan_start(young_person=yp, actor=yp.pa)
    services.plan_arrangement_request(plan=plan, actor=yp.pa, details=REDUCED_DETAILS,
                                      keeping_in_touch="Texts fortnightly; a call every 8 weeks", today=today)
    services.plan_update(plan=plan, actor=yp.pa, content=REDUCED, actions=ACTIONS[:2])
    services.plan_submit(plan=plan, actor=yp.pa, today=today)


def seed(*, today: dt.date, young_people: list[YoungPerson], staff_by_role_and_team: object = None) -> dict[str, int]:
    """One of each, on the first young people they suit (a circumstance whose pack interval the plan's
    contact frequency would contradict is skipped: the services refuse it, as they would a PA)."""
    counts = {"structured signed-off plans": 0, "reduced-visits requests on a plan": 0}
    wanted = [("structured signed-off plans", _signed_off), ("reduced-visits requests on a plan", _reduced_visits_on_plan)]
    for yp in _candidates(today, young_people):
        if not wanted:
            break
        key, make = wanted[0]
        try:
            with transaction.atomic():
                make(yp, today)
        except ServiceError:
            continue
        counts[key] += 1
        wanted.pop(0)
    return counts
