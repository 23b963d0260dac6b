"""Reads of pathway plans that know who is asking (STYLE 3): every query starts from the young
people the user may see, so another team's plan is a 404."""

import datetime as dt
from dataclasses import dataclass
from functools import cache

import rules
from django.db.models import Exists, F, Max, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone

from careleavers.selectors import young_people_visible_to
from contacts.models import VISIT_METHODS, Contact, Outcome, With
from core.batch import Read
from core.prepared import INT
from core.prepared_models import PreparedModels

from .models import PathwayPlan, PlanActionItem, PlanState


def plans_visible_to(user) -> QuerySet[PathwayPlan]:
    return PathwayPlan.objects.filter(young_person__in=young_people_visible_to(user))


def plan_for(user, *, pk: int) -> PathwayPlan:
    try:
        return plans_visible_to(user).select_related("young_person__pa__team", "created_by", "signed_off_by", "pa",
                                                     "arrangement").get(pk=pk)
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


#: What the young person's page shows of each version (its pathway panel and timeline): issue 16, a plan has fifty
#: columns, most of them the plan's long text, each compiled and read for a list of versions.
PAGE_PLAN_FIELDS = ("young_person_id", "version", "kind", "state", "review_date", "created_at", "imported",
                    "signed_off_by__name")


@cache
def prepared_plans() -> PreparedModels:
    """Issue 16: compiled once per process (core.prepared_models)."""
    return PreparedModels(lambda young_person_id: PathwayPlan.objects.filter(young_person_id=young_person_id)
                          .select_related("signed_off_by").only(*PAGE_PLAN_FIELDS).order_by("-version"),
                          young_person_id=INT)


def plans_read(young_person) -> Read:
    """plans_of's query, to be sent with the page's other reads (core.batch)."""
    return Read(prepared_plans(), {"young_person_id": young_person.pk}, {"young_person": young_person})


def plans_of(young_person) -> list[PathwayPlan]:
    """Every version for the young person's page, newest first, in one query (only what the page shows)."""
    read = plans_read(young_person)
    return read.prepared.objects(known=read.known, **read.values)


@dataclass(frozen=True)
class VisitBeforeReview:
    """reg 8(2)(b): the last visit since the previous signed-off review (None: there was none)."""

    previous_review: dt.date | None
    last_visit: dt.date | None

    @property
    def made(self) -> bool:
        return self.last_visit is not None


def visit_before_review(plan: PathwayPlan, *, today: dt.date | None = None) -> VisitBeforeReview:
    """reg 8(2)(b): was a visit (a completed face-to-face contact with the young person, C2) made after the
    previous signed-off review (the one before this version; before the first, at any time) and by this
    plan's sign-off date, or today for a plan not yet signed off? Two queries."""
    until = plan.review_date if plan.state == PlanState.SIGNED_OFF and plan.review_date else today or timezone.localdate()
    previous = (
        PathwayPlan.objects.filter(young_person_id=plan.young_person_id, state=PlanState.SIGNED_OFF,
                                   version__lt=plan.version, review_date__isnull=False)
        .aggregate(last=Max("review_date"))["last"]
    )
    visits = Contact.objects.filter(
        young_person_id=plan.young_person_id, voided_at__isnull=True, with_whom=With.YOUNG_PERSON,
        outcome=Outcome.COMPLETED, method__in=VISIT_METHODS, date__lte=until,
    )
    if previous is not None:
        visits = visits.filter(date__gt=previous)
    return VisitBeforeReview(previous_review=previous, last_visit=visits.aggregate(last=Max("date"))["last"])


def previous_version(plan: PathwayPlan) -> PathwayPlan | None:
    """The signed-off version before this one (what "changed since the last version" compares with, issue 13,
    item 6). One query, whatever the length of the history."""
    return (PathwayPlan.objects.filter(young_person_id=plan.young_person_id, state=PlanState.SIGNED_OFF,
                                       version__lt=plan.version, imported=False)
            .select_related("pa").order_by("-version").first())


def actions_of(*plans: PathwayPlan | None) -> dict[int, list[PlanActionItem]]:
    """The actions of each plan given, in one query (issue 13, item 6: the actions table)."""
    ids = [p.pk for p in plans if p is not None]
    found: dict[int, list[PlanActionItem]] = {pk: [] for pk in ids}
    for action in PlanActionItem.objects.filter(plan_id__in=ids).order_by("position", "id"):
        found[action.plan_id].append(action)
    return found


def plan_not_shared(today: dt.date) -> Exists:
    """Issue 13, item 4 (P4): a caseload annotation (no query of its own): the young person has a signed-off plan
    past its stored share-by date (sign-off plus the pack's plan_shared_within_days) and not yet shared."""
    return Exists(PathwayPlan.objects.filter(young_person_id=OuterRef("pk"), state=PlanState.SIGNED_OFF,
                                             share_by__lt=today, shared_with_young_person_on__isnull=True))
