"""Reads that know who is asking (STYLE 3): views never filter by team themselves."""

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from .models import SERVICE_WIDE_ROLES, Role, Staff, YoungPerson


def staff_for(user) -> Staff | None:
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return None
    return getattr(user, "staff", None)


def young_people_visible_to(user, *, on: dt.date | None = None) -> QuerySet[YoungPerson]:
    """A PA sees their own caseload and cases they cover today; a Team Leader their team's;
    Service Leaders and the Head of Service everyone; duty admin and strangers no one."""
    return YoungPerson.objects.visible_to(user, on=on)


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


# --- Staff listed by role (who to notify, a team's PAs): the one place these queries name a role ---

def team_leaders_of(young_person: YoungPerson) -> QuerySet[Staff]:
    """The Team Leaders of the young person's PA's team (none when unallocated)."""
    if young_person.pa is None:
        return Staff.objects.none()
    return team_leaders_of_teams([young_person.pa.team_id])


def team_leaders_of_teams(team_ids) -> QuerySet[Staff]:
    """The Team Leaders of these teams, with their sign-ins (for e-mail)."""
    return Staff.objects.filter(role=Role.TEAM_LEADER, team_id__in=team_ids).select_related("user")


def service_leaders() -> QuerySet[Staff]:
    """Every Service Leader, with their sign-ins (for e-mail)."""
    return Staff.objects.filter(role=Role.SERVICE_LEADER).select_related("user")


def personal_advisers_of_team(team) -> QuerySet[Staff]:
    """The team's Personal Advisers, by name (the PA filter of the team dashboard)."""
    return Staff.objects.filter(team=team, role=Role.PA).order_by("name")
