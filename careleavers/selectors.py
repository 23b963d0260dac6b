"""Reads that know who is asking (STYLE 3): views never filter by team themselves."""

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from .models import SERVICE_WIDE_ROLES, Cover, Role, Staff, YoungPerson


def staff_for(user) -> Staff | None:
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return None
    return getattr(user, "staff", None)


def young_people_visible_to(user, *, on: dt.date | None = None) -> QuerySet[YoungPerson]:
    """A PA sees their own caseload and cases they cover today; a Team Leader their team's;
    Service Leaders and the Head of Service everyone; duty admin and strangers no one."""
    staff = staff_for(user)
    people = YoungPerson.objects.all()
    if staff is None:
        return people.none()
    if staff.role in SERVICE_WIDE_ROLES:
        return people
    if staff.role == Role.TEAM_LEADER:
        return people.filter(pa__team_id=staff.team_id)
    if staff.role == Role.PA:
        today = on or timezone.localdate()
        # One IN over a UNION rather than a join with DISTINCT (or an OR with a subquery, which
        # PostgreSQL can only answer by scanning everyone): both halves use an index and the planner
        # knows the caseload is a few dozen people, not half the service.
        own = YoungPerson.objects.filter(pa=staff).order_by().values("pk")
        covered = Cover.objects.filter(pa=staff, start__lte=today, end__gte=today).values("young_person_id")
        return people.filter(pk__in=own.union(covered))
    return people.none()


def young_person_for(user, *, pk: int) -> YoungPerson:
    """The young person if the user may see them, else 404 (never 403: do not confirm they exist)."""
    try:
        return young_people_visible_to(user).select_related("pa", "pa__team").get(pk=pk)
    except (YoungPerson.DoesNotExist, ValueError) as exc:
        raise Http404("No such young person on your caseload.") from exc


def staff_visible_to(user) -> QuerySet[Staff]:
    staff = staff_for(user)
    if staff is None:
        return Staff.objects.none()
    if staff.role in SERVICE_WIDE_ROLES:
        return Staff.objects.all()
    if staff.role == Role.TEAM_LEADER:
        return Staff.objects.filter(team_id=staff.team_id)
    return Staff.objects.filter(pk=staff.pk)
