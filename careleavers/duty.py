"""Duty and break-glass (issue 12, item 7): a Team Leader puts a PA of their team on duty for a day; while on
duty that PA finds any young person in the service by name, reference or date of birth, and opens a record
outside their caseload only by giving a reason. Each opening is an audit event and a BreakGlassGrant row, which
core.rules.visible_young_people honours for that day only. Outside duty, search finds only whom one may see."""

import datetime as dt
import re

import rules
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_record
from core.dates import british
from core.errors import InvalidState, NotAllowed, ServiceError
from core.models import AuditKind
from core.rules import refusal

from .models import BreakGlassGrant, DutyDay, Staff, YoungPerson
from .selectors import team_leaders_of, young_people_visible_to
from .services import notify

#: A reason is a sentence, not a tick.
BREAK_GLASS_REASON_MIN = 10
#: Search results shown (a search narrows; it does not list the service).
SEARCH_LIMIT = 50

_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d %b %Y", "%d %B %Y", "%d-%m-%Y", "%d.%m.%Y")


def parse_date_of_birth(text: str) -> dt.date | None:
    text = re.sub(r"\s+", " ", text.strip())
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007  (only the date is kept)
        except ValueError:
            continue
    return None


def on_duty(staff: Staff, *, today: dt.date | None = None) -> bool:
    return DutyDay.objects.filter(staff=staff, date=today or timezone.localdate()).exists()


def young_people_search(*, user, query: str, today: dt.date | None = None) -> tuple[QuerySet[YoungPerson], bool]:
    """Young people matching `query` (part of a name, a reference, or a date of birth) among those `user` may
    search: everyone in the service for a PA on duty today (break-glass), else whom they may see. Returns the
    matches (at most SEARCH_LIMIT, with their PA) and whether the search was across the service."""
    today = today or timezone.localdate()
    query = query.strip()
    service_wide = rules.has_perm("careleavers.break_glass", user)
    people = YoungPerson.objects.all() if service_wide else young_people_visible_to(user, on=today)
    if not query:
        return people.none(), service_wide
    born = parse_date_of_birth(query)
    match = Q(name__icontains=query) | Q(ref__iexact=query) | Q(ref__istartswith=query)
    if born is not None:
        match |= Q(date_of_birth=born)
    found = people.filter(match).select_related("pa", "pa__team").order_by("name", "ref")[:SEARCH_LIMIT]
    return found, service_wide


@transaction.atomic
def duty_assign(*, actor: Staff, staff: Staff, date: dt.date, today: dt.date | None = None) -> DutyDay:
    """A Team Leader puts a PA of their own team on duty for a day (today or later)."""
    reason = refusal("careleavers.assign_duty", actor.user, staff)
    if reason is not None:
        raise NotAllowed(reason, field="staff")
    if not staff.is_pa:
        raise ServiceError("Only a Personal Adviser is put on duty.", field="staff")
    today = today or timezone.localdate()
    if date < today:
        raise ServiceError(f"Choose today or a later day (today is {british(today)}).", field="date")
    try:
        with transaction.atomic():
            duty = DutyDay.objects.create(staff=staff, date=date, assigned_by=actor)
    except IntegrityError as exc:
        raise InvalidState(f"{staff.name} is already on duty on {british(date)}.", field="date") from exc
    audit_record(kind=AuditKind.DUTY_ASSIGNED, actor=actor, obj=duty, staff=staff.pk, date=date)
    notify(recipients=[staff], kind="duty", url=reverse("search"),
           message=f"{actor.name} has put you on duty on {british(date)}.")
    return duty


@transaction.atomic
def break_glass_open(*, actor: Staff, young_person: YoungPerson, reason: str,
                     today: dt.date | None = None) -> BreakGlassGrant:
    """A PA on duty opens a record outside their caseload (break-glass): the reason is kept, the opening is an
    audit event (one per opening), the young person's Team Leaders are told, and the grant holds for today only."""
    refused = refusal("careleavers.break_glass", actor.user)
    if refused is not None:
        raise NotAllowed(refused)
    reason = reason.strip()
    if len(reason) < BREAK_GLASS_REASON_MIN:
        raise ServiceError("Say why you need to open this record (for example, who called and what about).",
                           field="reason")
    today = today or timezone.localdate()
    grant = BreakGlassGrant.objects.create(staff=actor, young_person=young_person, date=today, reason=reason)
    audit_record(kind=AuditKind.BREAK_GLASS_OPENED, actor=actor, young_person=young_person, obj=grant,
                 reason=reason, date=today)
    notify(recipients=[s for s in team_leaders_of(young_person) if s.pk != actor.pk], kind="break_glass",
           url=reverse("young_person", args=[young_person.pk]), young_person=young_person,
           message=f"{actor.name}, on duty, opened the record of {young_person.name} ({young_person.ref}): {reason}"[:500])
    return grant
