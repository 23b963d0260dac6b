"""The arrangements section of the young person's page: active, pending, actions and past
decisions. Fixed queries: arrangements, their decisions, their step-back checklists, and whether the
person may request one (core.rules). And, for managers, the intervals they agreed (T4)."""

import rules

from compliance.models import RequirementCode
from core.registry import Panel

from .models import PENDING_STATES, ArrangementKind, ArrangementState
from .selectors import arrangements_of
from .services import REQUESTABLE_KINDS, plain, reduced_visits_refusals_from_record


def arrangement_panel_context(*, request, young_person, today, reads=None):
    arrangements = reads["arrangements"] if reads is not None else arrangements_of(young_person)  # once a page
    active = next((a for a in arrangements if a.state == ArrangementState.ACTIVE), None)
    pending = next((a for a in arrangements if a.state in PENDING_STATES), None)
    not_offered = {}
    if refusals := reduced_visits_refusals_from_record(young_person=young_person, on=today):
        not_offered[ArrangementKind.REDUCED_VISITS] = (ArrangementKind.REDUCED_VISITS.label, [plain(r) for r in refusals])
    return {
        "yp": young_person,
        "active": active,
        "pending": pending,
        "past": [a for a in arrangements if a not in (active, pending)],
        # One pending and one active at most: a new request waits until both are settled.
        "can_request": active is None and pending is None
        and rules.has_perm("approvals.request_arrangement", request.user, young_person),
        "kinds": [(k, ArrangementKind(k).label) for k in REQUESTABLE_KINDS if k not in not_offered],
        # issue 15, item 4: say no before the form (R1 from the record: under 18, vulnerable or at risk).
        "not_offered": not_offered,
        # R1, E2: marking them vulnerable or at risk puts reduced visits up for review.
        "can_flag_vulnerable": rules.has_perm("careleavers.flag_vulnerable", request.user, young_person),
    }


ARRANGEMENT_PANEL = Panel(key="arrangements", template="approvals/panel.html", context=arrangement_panel_context, order=30)


def interval_panel_context(*, request, young_person, today, reads=None):
    """T4: the intervals a manager agreed, for the managers who may set them (one query; hidden, and no
    query, for everyone else: the requirements table already shows each interval)."""
    if not rules.has_perm("compliance.set_interval_override", request.user, young_person):
        return None
    return {
        "yp": young_person,
        "overrides": [
            (o, RequirementCode(o.requirement).label if o.requirement in RequirementCode.values else o.requirement)
            for o in young_person.interval_overrides.select_related("agreed_by", "supervision_note__supervision")
            .order_by("requirement")
        ],
    }


INTERVAL_PANEL = Panel(key="intervals", template="approvals/intervals_panel.html", context=interval_panel_context,
                       order=35)
