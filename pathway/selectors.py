"""Reads of pathway plans that know who is asking (STYLE 3): every query starts from the young
people the user may see, so another team's plan is a 404."""

import rules
from django.db.models import F, QuerySet
from django.http import Http404

from careleavers.selectors import young_people_visible_to

from .models import PathwayPlan, PlanState


def plans_visible_to(user) -> QuerySet[PathwayPlan]:
    return PathwayPlan.objects.filter(young_person__in=young_people_visible_to(user))


def plan_for(user, *, pk: int) -> PathwayPlan:
    try:
        return plans_visible_to(user).select_related("young_person__pa__team", "created_by", "signed_off_by").get(pk=pk)
    except (PathwayPlan.DoesNotExist, ValueError) as exc:
        raise Http404("No such plan for a young person you can see.") from exc


def plans_to_sign_off(user) -> QuerySet[PathwayPlan]:
    """The Team Leader's queue: submitted plans of their own team, the nearest review first.
    Service-wide managers see every submitted plan (read-only: only the team's TL decides)."""
    if not rules.has_perm("pathway.view_queue", user):
        return PathwayPlan.objects.none()
    return (
        plans_visible_to(user)
        .filter(state=PlanState.SUBMITTED)
        .select_related("young_person__pa__team", "created_by")
        .order_by(F("review_due").asc(nulls_last=True), "submitted_at", "pk")
    )


def plans_of(young_person) -> list[PathwayPlan]:
    """Every version for the young person's page, newest first, in one query."""
    return list(young_person.plans.select_related("signed_off_by", "created_by").order_by("-version"))
