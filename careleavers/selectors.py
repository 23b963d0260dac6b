"""Reads that know who is asking (STYLE 3): views never filter by team themselves."""

import datetime as dt
from functools import cache
from typing import Any

import rules
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from core.batch import Read
from core.prepared import DATE, INT
from core.prepared_models import PreparedModels
from core.rules import (
    may_read_note,
    personal_advisers_among,
    readable_case_notes,
    reads_restricted_notes,
    service_leaders_among,
    team_leaders_among,
    visibility_of,
    visible_staff,
    visible_teams,
    young_people_seen_as,
)

from .models import (
    AccommodationPeriod,
    ActivityPeriod,
    CardKind,
    CardSent,
    CaseNote,
    CaseNoteKind,
    Flag,
    KeyProfessional,
    LegalStatus,
    Staff,
    SupervisionSession,
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
    kind, key = visibility_of(user)
    if kind in _SEEN_AS and isinstance(pk, int) and not isinstance(pk, bool):
        # Issue 16: read through a query compiled once per process for each kind of visibility (core.rules).
        given: dict[str, Any] = {"pk": pk, "key": key, "today": timezone.localdate()}
        found = _prepared_young_person(kind).objects(**{name: given[name] for name in _SEEN_AS[kind]})
        if not found:
            raise Http404("No such young person on your caseload.")
        return found[0]
    try:
        return young_people_visible_to(user).select_related("pa", "pa__team").get(pk=pk)
    except (YoungPerson.DoesNotExist, ValueError) as exc:
        raise Http404("No such young person on your caseload.") from exc


_SEEN_AS = {"service": {"pk": INT}, "team": {"pk": INT, "key": INT}, "pa": {"pk": INT, "key": INT, "today": DATE}}


@cache
def _prepared_young_person(kind: str) -> PreparedModels:
    """One young person with their PA and team, if seen under a visibility of this kind (core.rules'
    young_people_seen_as, the rule of young_people_visible_to), compiled once per process and kind."""
    def build(pk, key=None, today=None):
        return (young_people_seen_as(YoungPerson.objects.all(), (kind, key), today=today)
                .select_related("pa", "pa__team").filter(pk=pk).order_by())
    return PreparedModels(build, **_SEEN_AS[kind])


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


# --- issue 11 (items 1, 6, 8): the unallocated queue, who a case can go to ----------------------------


def open_cases(people: QuerySet[YoungPerson], *, today: dt.date) -> QuerySet[YoungPerson]:
    """Cases not closed on `today` (closed cases leave the caseload, as they leave the engine's rows)."""
    return people.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=today))


def unallocated_for(user, *, today: dt.date) -> QuerySet[YoungPerson]:
    """Issue 11, item 1: registered young people waiting for a PA, longest waiting first: a Team Leader's are
    the referrals to their team, the Service Leader's everyone's (core.rules.visible_young_people)."""
    if not rules.has_perm("careleavers.view_unallocated", user):
        return YoungPerson.objects.none()
    return (open_cases(young_people_visible_to(user, on=today), today=today)
            .filter(pa__isnull=True, referred_on__isnull=False)
            .select_related("referring_team").order_by("referred_on", "name", "pk"))


def advisers_for(user) -> QuerySet[Staff]:
    """The PAs a manager may give a case to or set as cover: their team's for a Team Leader, all for the
    Service Leader (the services check it again)."""
    return personal_advisers_visible_to(user).select_related("team").order_by("team__name", "name")
# --- issue 12 (items 1-3): case notes, supervision sessions -------------------------------------------------


def case_notes_for(user, *, young_person: YoungPerson, kind: str = "") -> QuerySet[CaseNote]:
    """The current version of each of the young person's notes that the user may read (core.rules.readable_case_notes:
    restricted notes only for managers and the allocated PA), oldest-written position kept (a correction does not
    move a note to the top), newest first. `young_person` comes from young_person_for, so it is one they see."""
    notes = current_case_notes(young_person.pk, restricted_too=reads_restricted_notes(user, young_person))
    if kind:
        notes = notes.filter(kind=kind)
    return notes.select_related("author", "original", "original__author")


def current_case_notes(young_person_id, *, restricted_too: bool) -> QuerySet[CaseNote]:
    """case_notes_for's notes, newest first, for a reader who may read restricted notes or not
    (core.rules.readable_case_notes); the young person's page compiles it once (casework.notes)."""
    notes = readable_case_notes(CaseNote.objects.filter(young_person_id=young_person_id, correction__isnull=True),
                                restricted_too=restricted_too)
    return notes.annotate(first_at=Coalesce(F("original__created_at"), F("created_at"))).order_by("-first_at", "-id")


def case_note_for(user, *, pk: int, young_person: YoungPerson) -> CaseNote:
    """One note of the young person (any version), if the user may read it, else 404."""
    try:
        note = CaseNote.objects.select_related("author", "original", "supervision").get(pk=pk, young_person=young_person)
    except (CaseNote.DoesNotExist, ValueError) as exc:
        raise Http404("No such note.") from exc
    note.young_person = young_person
    if not may_read_note.test(user, note):
        raise Http404("No such note.")
    return note


def case_note_versions(*, root_ids) -> dict[int, list[CaseNote]]:
    """Every version of these notes (by their first version's id), oldest first, in one query: for managers
    (careleavers.view_note_versions), who read the earlier text."""
    ids = list(root_ids)
    versions: dict[int, list[CaseNote]] = {pk: [] for pk in ids}
    if not ids:
        return versions
    for note in (CaseNote.objects.filter(Q(pk__in=ids) | Q(original_id__in=ids)).select_related("author")
                 .order_by("version")):
        versions[note.root_id].append(note)
    return versions


def timeline_case_notes_read(*, young_person: YoungPerson, user, limit: int, with_versions: bool) -> Read:
    """The notes for the timeline (not the escalation notes: their steps are shown from their own rows): the
    current versions, and the earlier ones too `with_versions` (managers); restricted ones only for who reads them.
    One compiled read (core.batch.Read), sent with the young person's page's other reads or on its own."""
    restricted_too = user is not None and reads_restricted_notes(user, young_person)  # core.rules.readable_case_notes
    return Read(_prepared_timeline_notes(limit=limit, with_versions=with_versions, restricted_too=restricted_too),
                {"young_person_id": young_person.pk})


@cache
def _prepared_timeline_notes(*, limit: int, with_versions: bool, restricted_too: bool) -> PreparedModels:
    """Issue 16: timeline_case_notes' query compiled once per process for each limit and kind of reader."""
    def build(young_person_id):
        notes = CaseNote.objects.filter(young_person_id=young_person_id).exclude(kind=CaseNoteKind.ESCALATION)
        if not with_versions:
            notes = notes.filter(correction__isnull=True)
        return readable_case_notes(notes, restricted_too=restricted_too).select_related("author", "correction")[:limit]
    return PreparedModels(build, young_person_id=INT)


def supervisions_visible_to(user) -> QuerySet[SupervisionSession]:
    """Supervision sessions of the PAs the user may list (visible_staff: a Team Leader their team's, a Service
    Leader everyone's); for anyone without careleavers.view_supervisions, none."""
    if not rules.has_perm("careleavers.view_supervisions", user):
        return SupervisionSession.objects.none()
    return (SupervisionSession.objects.filter(pa__in=staff_visible_to(user))
            .select_related("pa", "supervisor").order_by("-held_on", "-id"))


def supervision_for(user, *, pk: int) -> SupervisionSession:
    try:
        return supervisions_visible_to(user).get(pk=pk)
    except (SupervisionSession.DoesNotExist, ValueError) as exc:
        raise Http404("No such supervision session.") from exc


def supervisable_pas(user) -> QuerySet[Staff]:
    """The PAs the user may record a supervision of (careleavers.record_supervision: their own team's for a Team
    Leader; every PA for a Service Leader), by name."""
    if not rules.has_perm("careleavers.view_supervisions", user):
        return Staff.objects.none()
    return personal_advisers_among(staff_visible_to(user)).order_by("name")
# --- issue 11 (items 2-4, 7): the case record's histories and flags ----------------------------------------------


def current_period(periods, *, on: dt.date):
    """The period in force on `on` (started on or before it, not yet ended), from rows in hand."""
    return next((p for p in periods if p.start <= on and (p.end is None or p.end > on)), None)


def active_flags(young_person: YoungPerson) -> QuerySet[Flag]:
    """Item 7: the flags shown at the top of the record (one query)."""
    return _active_flags(young_person.pk)


def _active_flags(young_person_id) -> QuerySet[Flag]:
    return Flag.objects.filter(young_person_id=young_person_id, cleared_on__isnull=True).select_related("set_by") \
        .order_by("kind")


@cache
def prepared_active_flags() -> PreparedModels:
    """Issue 16: active_flags compiled once per process, for the young person's page (its flags banner)."""
    return PreparedModels(_active_flags, young_person_id=INT)


def active_flags_read(young_person: YoungPerson) -> Read:
    """The flags banner's read, sent with the young person's page's other reads (core.batch) or on its own."""
    return Read(prepared_active_flags(), {"young_person_id": young_person.pk})


def current_accommodation(young_person_id, today: dt.date):
    """The accommodation in force on `today`, the latest started first (take the first)."""
    return AccommodationPeriod.objects.filter(young_person_id=young_person_id, start__lte=today) \
        .filter(Q(end__isnull=True) | Q(end__gt=today)).order_by("-start")


def current_activity(young_person_id, today: dt.date):
    """The education, employment or training in force on `today`, the latest started first (take the first)."""
    return ActivityPeriod.objects.filter(young_person_id=young_person_id, start__lte=today) \
        .filter(Q(end__isnull=True) | Q(end__gt=today)).order_by("-start")


def active_professionals(young_person_id):
    """The key professionals still involved, by role and name."""
    return KeyProfessional.objects.filter(young_person_id=young_person_id, ended_on__isnull=True).order_by("role", "name")


def case_record_summary(young_person: YoungPerson, *, today: dt.date) -> dict:
    """What the young person's page shows of the case record: the current accommodation and activity and the
    active key professionals (three queries, whatever the length of the histories). The page itself reads them
    prepared (casework.case_record_panel); the returns read these."""
    return {"accommodation": current_accommodation(young_person.pk, today).first(),
            "activity": current_activity(young_person.pk, today).first(),
            "professionals": list(active_professionals(young_person.pk))}


def periods_in_force(model, ids, day: dt.date) -> dict[int, Any]:
    """Each young person's period of `model` (AccommodationPeriod, ActivityPeriod) in force on `day`, for the
    returns (one query)."""
    found: dict[int, Any] = {}
    rows = model.objects.filter(young_person__in=ids, start__lte=day).filter(Q(end__isnull=True) | Q(end__gt=day))
    for period in rows.order_by("young_person", "start", "id"):
        found[period.young_person_id] = period  # ordered by start: the newest wins
    return found
