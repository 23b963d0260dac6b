"""Reads of arrangements that know who is asking (STYLE 3)."""

from functools import cache

import rules
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from careleavers.selectors import young_people_visible_to
from core.batch import Read
from core.prepared import INT
from core.prepared_models import PreparedModels

from .models import PENDING_STATES, Arrangement, ArrangementDecision, ArrangementState


def arrangements_visible_to(user) -> QuerySet[Arrangement]:
    return Arrangement.objects.filter(young_person__in=young_people_visible_to(user))


def arrangement_for(user, *, pk: int) -> Arrangement:
    try:
        return arrangements_visible_to(user).select_related("young_person__pa__team", "requested_by").get(pk=pk)
    except (Arrangement.DoesNotExist, ValueError) as exc:
        raise Http404("No such arrangement for a young person you can see.") from exc


#: Which state waits for whom (core.rules): the Team Leader's step, the Service Leader's (R5).
WAITING_FOR = (
    (ArrangementState.REQUESTED, "approvals.see_waiting_for_team_leader"),
    (ArrangementState.TEAM_LEADER_APPROVED, "approvals.see_waiting_for_service_leader"),
)


def arrangements_awaiting(user) -> QuerySet[Arrangement]:
    """What waits for the signed-in manager: a Team Leader's own team's requests and the arrangements put
    up for review (R1, E3); a Service Leader's reduced-visit agreements (R5); the Head of Service sees
    everything pending."""
    states = [state for state, permission in WAITING_FOR if rules.has_perm(permission, user)]
    if not states:
        return Arrangement.objects.none()
    waiting = Q(state__in=states)
    if rules.has_perm("approvals.see_waiting_for_team_leader", user):
        waiting |= Q(review_requested_on__isnull=False, state__in=(*PENDING_STATES, ArrangementState.ACTIVE))
    return (
        arrangements_visible_to(user)
        .filter(waiting)
        .select_related("young_person__pa__team", "requested_by")
        .order_by("requested_at", "pk")
    )


def arrangements_read(young_person) -> Read:
    """arrangements_of's query, to be sent with the page's other reads (core.batch; the prefetches follow it)."""
    return Read(prepared_arrangements(), {"young_person_id": young_person.pk}, {"young_person": young_person})


def arrangements_of(young_person) -> list[Arrangement]:
    """Every arrangement of the young person with its decisions and S2 checklist: three queries."""
    read = arrangements_read(young_person)
    return read.prepared.objects(known=read.known, **read.values)


@cache
def prepared_arrangements() -> PreparedModels:
    """Issue 16: the arrangements' query compiled once per process (core.prepared_models); their decisions and
    checklists are prefetched as the queryset would."""
    return PreparedModels(
        lambda young_person_id: Arrangement.objects.filter(young_person_id=young_person_id)
        .select_related("requested_by")
        .prefetch_related(
            Prefetch("decisions", queryset=ArrangementDecision.objects.select_related("actor").order_by("at", "id")),
            "step_back_items",
        )
        .order_by("-requested_at", "-id"), young_person_id=INT)
