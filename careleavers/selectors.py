"""Reads that know who is asking (STYLE 3): views never filter by team themselves."""

import datetime as dt
from typing import Any

import rules
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from core.rules import (
    personal_advisers_among,
    service_leaders_among,
    team_leaders_among,
    visible_staff,
    visible_teams,
)

from .models import (
    AccommodationPeriod,
    ActivityPeriod,
    CardKind,
    CardSent,
    Flag,
    KeyProfessional,
    LegalStatus,
    Staff,
    Team,
    YoungPerson,
)

#: T9: the seasonal (Christmas) card goes out in December.
SEASONAL_CARD_MONTH = 12


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
    return visible_staff(Staff.objects.all(), user)


# --- Staff listed by role (who to notify, a team's PAs): the one place these queries name a role ---

def team_leaders_of(young_person: YoungPerson) -> QuerySet[Staff]:
    """The Team Leaders of the young person's PA's team (none when unallocated)."""
    if young_person.pa is None:
        return Staff.objects.none()
    return team_leaders_of_teams([young_person.pa.team_id])


def team_leaders_of_teams(team_ids) -> QuerySet[Staff]:
    """The Team Leaders of these teams, with their sign-ins (for e-mail)."""
    return team_leaders_among(Staff.objects.filter(team_id__in=team_ids)).select_related("user")


def service_leaders() -> QuerySet[Staff]:
    """Every Service Leader, with their sign-ins (for e-mail)."""
    return service_leaders_among(Staff.objects.all()).select_related("user")


def personal_advisers_of_team(team) -> QuerySet[Staff]:
    """The team's Personal Advisers, by name (the PA filter of the team dashboard)."""
    return personal_advisers_among(Staff.objects.filter(team=team)).order_by("name")


def teams_visible_to(user) -> QuerySet[Team]:
    """Teams whose dashboards the user may read."""
    return visible_teams(Team.objects.all(), user)


def personal_advisers_visible_to(user) -> QuerySet[Staff]:
    """The PAs a manager may filter by (the caseload's PA filter)."""
    return personal_advisers_among(staff_visible_to(user))


# --- T9: the duty admin's card list ---------------------------------------------------------------


def card_window_start(today: dt.date) -> dt.date:
    """A card counts for this month's birthday or season when sent on or after the first of last month."""
    first = today.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def card_recipients(*, today: dt.date) -> QuerySet[YoungPerson]:
    """T9: section 24 (qualifying) young people without a PA service, in service today. Only the fields a
    card needs: the duty admin sees nothing else of the record."""
    return (
        YoungPerson.objects.filter(
            legal_status=LegalStatus.QUALIFYING, pa_service=False, birthday_16__lte=today,
        )
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=today))
        .filter(Q(birthday_21__gt=today) | Q(extended_support=True, birthday_25__gt=today))
        .only("id", "ref", "name", "date_of_birth", "address")
    )


def card_list_for(user, *, today: dt.date) -> QuerySet[YoungPerson]:
    """Who is due a card this month (T9): a birthday this month, or everyone in December (the seasonal card),
    with whether each card has been sent. Nobody for someone without `careleavers.send_cards`."""
    if not rules.has_perm("careleavers.send_cards", user):
        return YoungPerson.objects.none()
    since = card_window_start(today)
    sent = CardSent.objects.filter(young_person=OuterRef("pk"), date__gte=since, date__lte=today)
    # December: everyone is due the seasonal card; any other month, those with a birthday in it.
    due = Q() if today.month == SEASONAL_CARD_MONTH else Q(date_of_birth__month=today.month)
    return (
        card_recipients(today=today).filter(due)
        .annotate(birthday_card_sent=Exists(sent.filter(kind=CardKind.BIRTHDAY)),
                  seasonal_card_sent=Exists(sent.filter(kind=CardKind.SEASONAL)))
        .order_by("name", "pk")
    )


def card_recipient_for(user, *, pk: int, today: dt.date) -> YoungPerson:
    """One young person on the card list, else 404 (the duty admin finds no one else)."""
    try:
        return card_list_for(user, today=today).get(pk=pk)
    except (YoungPerson.DoesNotExist, ValueError) as exc:
        raise Http404("No such young person on the card list.") from exc


# --- issue 11 (items 2-4, 7): the case record's histories and flags ----------------------------------------------


def current_period(periods, *, on: dt.date):
    """The period in force on `on` (started on or before it, not yet ended), from rows in hand."""
    return next((p for p in periods if p.start <= on and (p.end is None or p.end > on)), None)


def active_flags(young_person: YoungPerson) -> QuerySet[Flag]:
    """Item 7: the flags shown at the top of the record (one query)."""
    return Flag.objects.filter(young_person=young_person, cleared_on__isnull=True).select_related("set_by") \
        .order_by("kind")


def case_record_summary(young_person: YoungPerson, *, today: dt.date) -> dict:
    """What the young person's page shows of the case record: the current accommodation and activity and the
    active key professionals (three queries, whatever the length of the histories)."""
    accommodation = AccommodationPeriod.objects.filter(young_person=young_person, start__lte=today) \
        .filter(Q(end__isnull=True) | Q(end__gt=today)).order_by("-start").first()
    activity = ActivityPeriod.objects.filter(young_person=young_person, start__lte=today) \
        .filter(Q(end__isnull=True) | Q(end__gt=today)).order_by("-start").first()
    professionals = list(KeyProfessional.objects.filter(young_person=young_person, ended_on__isnull=True)
                         .order_by("role", "name"))
    return {"accommodation": accommodation, "activity": activity, "professionals": professionals}


def periods_in_force(model, ids, day: dt.date) -> dict[int, Any]:
    """Each young person's period of `model` (AccommodationPeriod, ActivityPeriod) in force on `day`, for the
    returns (one query)."""
    found: dict[int, Any] = {}
    rows = model.objects.filter(young_person__in=ids, start__lte=day).filter(Q(end__isnull=True) | Q(end__gt=day))
    for period in rows.order_by("young_person", "start", "id"):
        found[period.young_person_id] = period  # ordered by start: the newest wins
    return found
