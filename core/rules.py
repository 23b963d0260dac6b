"""Role and caseload permissions in one module (django `rules`), used by services, views and templates.

Object-level checks are built on the young people a member of staff may see
(careleavers.selectors.young_people_visible_to, i.e. YoungPerson.objects.visible_to).
This module imports no other app: predicates read the attributes of the records they are given.
"""

from functools import cache

import rules
from django.utils import timezone

from .prepared import DATE, INT, Prepared
from .roles import SERVICE_WIDE_ROLES, Role


@rules.predicate
def has_staff(user) -> bool:
    return hasattr(user, "staff")


class RolePredicate(rules.Predicate):
    """A predicate whose answer for a user is decided by role_facts(user) alone: the role predicates (`_role`),
    is_superuser, and any combination (&, |, ^, ~) of them. Combined with any other predicate, the result is a plain
    rules.Predicate, so a permission that also asks about a record or an object is never taken for one. The menu
    (core.navigation) keeps its answers per role_facts instead of asking on every page (issue 16)."""

    def __and__(self, other) -> rules.Predicate:
        return self._kept(super().__and__(other), other)

    def __or__(self, other) -> rules.Predicate:
        return self._kept(super().__or__(other), other)

    def __xor__(self, other) -> rules.Predicate:
        return self._kept(super().__xor__(other), other)

    @staticmethod
    def _kept(combined: rules.Predicate, other) -> rules.Predicate:
        # rules builds the combination as type(self): a RolePredicate, whatever `other` is.
        return combined if isinstance(other, RolePredicate) else rules.Predicate(combined)


def role_facts(user) -> tuple[str | None, bool]:
    """All that a RolePredicate reads of a user: the member of staff's role (None without one), and whether the user
    is a superuser (as rules.is_superuser reads it)."""
    staff = getattr(user, "staff", None)
    return (None if staff is None else staff.role, bool(getattr(user, "is_superuser", False)))


def _role(*roles):
    def predicate(user) -> bool:
        return hasattr(user, "staff") and user.staff.role in roles

    return RolePredicate(predicate, name=f"is_{'_or_'.join(roles)}")


#: rules.is_superuser, marked as decided by role_facts (it reads nothing else).
is_superuser = RolePredicate(rules.is_superuser)


is_pa = _role(Role.PA)
is_team_leader = _role(Role.TEAM_LEADER)
is_service_wide = _role(*SERVICE_WIDE_ROLES)
is_manager = _role(Role.TEAM_LEADER, *SERVICE_WIDE_ROLES)
is_service_leader = _role(Role.SERVICE_LEADER)


def staff_of(user):
    """The signed-in member of staff, or None (strangers, bare superusers)."""
    return getattr(user, "staff", None) if getattr(user, "is_authenticated", False) else None


def _team_ids(young_person_model, *, team_id):
    """A Team Leader's young people (see visible_young_people)."""
    # Issue 11, item 1: and the referrals to their team that wait for a PA (the unallocated queue). An IN over a
    # UNION, as for a PA (issue 16): the OR across the join to the PA made PostgreSQL scan all 100 000 people.
    team = young_person_model.objects.filter(pa__team_id=team_id).order_by().values("pk")
    waiting = young_person_model.objects.filter(pa__isnull=True, referring_team_id=team_id).order_by().values("pk")
    return team.union(waiting)


def _pa_ids(young_person_model, *, staff_id, today):
    """A PA's young people (see visible_young_people)."""
    # One IN over a UNION rather than a join with DISTINCT (or an OR with a subquery, which
    # PostgreSQL can only answer by scanning everyone): both halves use an index and the planner
    # knows the caseload is a few dozen people, not half the service.
    staff_model = young_person_model._meta.get_field("pa").related_model
    cover = staff_model.covers.rel.related_model
    grant = staff_model.break_glass_grants.rel.related_model
    own = young_person_model.objects.filter(pa_id=staff_id).order_by().values("pk")
    covered = cover.objects.filter(pa_id=staff_id, start__lte=today, end__gte=today).values("young_person_id")
    # Issue 12, item 7: a duty PA's reasoned opening of a record (break-glass) holds for that day only.
    granted = grant.objects.filter(staff_id=staff_id, date=today).order_by().values("young_person_id")
    return own.union(covered, granted)


@cache
def _visible_ids(kind: str, young_person_model) -> Prepared:
    """Issue 16: the ids of a Team Leader's and a PA's young people, compiled once per process and model
    (core.prepared), not built and compiled into each of a page's queries on every request."""
    if kind == Role.TEAM_LEADER:
        return Prepared(lambda team_id: _team_ids(young_person_model, team_id=team_id), team_id=INT)
    return Prepared(lambda staff_id, today: _pa_ids(young_person_model, staff_id=staff_id, today=today),
                    staff_id=INT, today=DATE)


def visibility_of(user) -> tuple[str, int | None]:
    """Whose young people a member of staff sees, as a key (issue 16: a page's queries are prepared once per kind):
    ("service", None) everyone, ("team", team id) a Team Leader's, ("pa", staff id) a PA's, ("none", None) no one."""
    staff = staff_of(user)
    if staff is None:
        return ("none", None)
    if staff.role in SERVICE_WIDE_ROLES:
        return ("service", None)
    if staff.role == Role.TEAM_LEADER:
        return ("team", staff.team_id)
    if staff.role == Role.PA:
        return ("pa", staff.pk)
    return ("none", None)


def young_people_seen_as(people, visibility: tuple[str, int | None], *, today):
    """`people` narrowed to those seen under `visibility` (visibility_of): the rule of visible_young_people."""
    kind, key = visibility
    if kind == "service":
        return people
    if kind == "team":
        return people.filter(pk__in=_visible_ids(Role.TEAM_LEADER, people.model).expression(using=people.db, team_id=key))
    if kind == "pa":
        ids = _visible_ids(Role.PA, people.model).expression(using=people.db, staff_id=key, today=today)
        return people.filter(pk__in=ids)
    return people.none()


def visible_young_people(people, user, *, today):
    """Who a member of staff may see, narrowed from `people` (a YoungPerson queryset): a PA their own
    caseload and the cases they cover today; a Team Leader their team's; Service Leaders and the Head of
    Service everyone; duty admin and strangers no one. YoungPerson.objects.visible_to and so
    careleavers.selectors.young_people_visible_to are built on it."""
    return young_people_seen_as(people, visibility_of(user), today=today)


def visible_staff(members, user):
    """Staff a member of staff may see listed (filters, dashboards): everyone for service-wide roles, the
    team for a Team Leader, oneself otherwise."""
    staff = staff_of(user)
    if staff is None:
        return members.none()
    if staff.role in SERVICE_WIDE_ROLES:
        return members
    if staff.role == Role.TEAM_LEADER:
        return team_staff(members, team_id=staff.team_id)
    return members.filter(pk=staff.pk)


def team_staff(members, *, team_id):
    """The members of one team: the staff a Team Leader sees (visible_staff)."""
    return members.filter(team_id=team_id)


def visible_teams(teams, user):
    """Teams whose dashboards a manager may read: every team service-wide, their own for a Team Leader."""
    return teams_seen_as(teams, visibility_of(user))


def teams_seen_as(teams, visibility: tuple[str, int | None]):
    """`teams` narrowed to those whose dashboards are read under `visibility` (visibility_of): the rule of
    visible_teams, keyed as the dashboards' queries are prepared (issue 16)."""
    kind, key = visibility
    if kind == "service":
        return teams
    if kind == "team":
        return teams.filter(pk=key)
    return teams.none()


def sees_whole_team(visibility: tuple[str, int | None], *, team_id: int | None) -> bool:
    """Whether everyone whose PA is in team `team_id` is seen under `visibility` (visibility_of): the whole service's
    readers, and that team's Team Leader (their team's PAs' cases are what they see, with the referrals waiting for a
    PA). A query of that team's cases then needs no visibility filter (issue 16: a semi-join of each of the team
    dashboard's queries with the visibility UNION, planned on every request, that filtered nothing)."""
    kind, key = visibility
    return team_id is not None and (kind == "service" or (kind == "team" and key == team_id))


# Staff narrowed to one duty (who to notify, a team's PAs): the one place a query names a role.
def personal_advisers_among(members):
    return members.filter(role=Role.PA)


def team_leaders_among(members):
    return members.filter(role=Role.TEAM_LEADER)


def service_leaders_among(members):
    return members.filter(role=Role.SERVICE_LEADER)


@rules.predicate
def can_see_young_person(user, young_person) -> bool:
    return young_person is not None and type(young_person).objects.visible_to(user).filter(pk=young_person.pk).exists()


@rules.predicate
def manages_team_of(user, young_person) -> bool:
    """A Team Leader decides only for their own team."""
    staff = getattr(user, "staff", None)
    return (
        staff is not None
        and staff.role == Role.TEAM_LEADER
        and young_person is not None
        and young_person.pa is not None
        and young_person.pa.team_id == staff.team_id
    )


rules.add_perm("careleavers.view_young_person", can_see_young_person)
rules.add_perm("careleavers.view_history", is_manager & can_see_young_person)
rules.add_perm("careleavers.view_dashboards", is_manager)
rules.add_perm("returns.export", is_service_wide)

# Navigation and pages that are for a role's duties rather than for one record.
rules.add_perm("pathway.view_queue", is_manager)
rules.add_perm("approvals.view_queue", is_manager)
rules.add_perm("careleavers.plan_absence", is_pa)

# --- Contacts, escalation, events, absences, notifications, returns, dashboards, history ----------
# (careleavers, contacts, compliance events, oversight, returns)

is_head_of_service = _role(Role.HEAD_OF_SERVICE)

#: Who writes to a young person's record at all (what they may write to is decided per record below).
writes_records = is_pa | is_manager
rules.add_rule("careleavers.writes_records", writes_records)


def _young_person_of(record):
    """The young person a record is about (or the young person, for a permission to create one)."""
    return getattr(record, "young_person", record) if record is not None else None


_SEEN_BY = "_rules_seen_by"


@rules.predicate
def sees_young_person_of(user, record) -> bool:
    """can_see_young_person for the record's young person, asked once per young person and user: a page
    asks it for every button it might show. Services re-read their records, so the memo never outlives
    the request or transaction that made it."""
    young_person = _young_person_of(record)
    if young_person is None:
        return False
    memo = young_person.__dict__.setdefault(_SEEN_BY, {})
    key = getattr(user, "pk", None)
    if key not in memo:
        memo[key] = can_see_young_person.test(user, young_person)
    return memo[key]


def seen_by(young_person, user) -> None:
    """Remember that `user` sees `young_person`, who was just read through the rule itself (visible_young_people, by
    careleavers.selectors.young_person_for), so sees_young_person_of asks no query for them (issue 16: the young
    person's page asked it twice more)."""
    young_person.__dict__.setdefault(_SEEN_BY, {})[getattr(user, "pk", None)] = True


#: A PA on the case (own caseload or cover today) or a manager who sees the young person. Visibility
#: first: every role that sees anyone writes records, so the role test never costs a query.
can_record_for = sees_young_person_of & writes_records  # issue 16: the remembered answer (sees_young_person_of)


@rules.predicate
def is_self(user, staff) -> bool:
    """The member of staff is the person asking (an absence is planned only for yourself)."""
    own = getattr(user, "staff", None)
    return own is not None and staff is not None and own.pk == staff.pk


# "contacts.log_contact", "contacts.void_contact", "contacts.record_escalation", "careleavers.record_event" and
# "careleavers.record_contact": below, with the duties they follow (issue 14: write rights follow duties).
rules.add_perm("careleavers.plan_own_absence", is_self)
#: O1/V4: only a PA who sees the case (their own, or one they cover) says why an item is overdue.
rules.add_perm("oversight.record_overdue_update", is_pa & sees_young_person_of)
rules.add_perm("returns.record_in_touch_check", can_record_for)
rules.add_perm("returns.edit_details", can_record_for)
# "returns.export" (above): Service Leader and Head of Service. "careleavers.view_history" (above):
# a manager who sees the young person.
rules.add_perm("oversight.view_team_dashboard", is_manager)
rules.add_perm("oversight.view_service_dashboard", is_service_wide)
rules.add_perm("oversight.view_head_dashboard", is_service_wide)
#: Which dashboard a manager lands on (oversight:dashboard): the Head of Service's, else the
#: Service Leader's, else the team's.
rules.add_perm("oversight.lands_on_head_dashboard", is_head_of_service)
rules.add_perm("oversight.lands_on_service_dashboard", is_service_wide)
#: S5: management-oversight items (repeated declines of the keeping-in-touch offer). Managers see the list
#: of the young people they see; the young person's Team Leader answers (the object is the young person).
rules.add_perm("contacts.view_oversight_items", is_manager)
rules.add_perm("contacts.answer_oversight_item", manages_team_of)
#: T8: a Team Leader changes the legal status of their own team's young people (the object is the young person).
rules.add_perm("careleavers.change_legal_status", manages_team_of)
#: T9: the duty admin keeps the card list and records each card sent; they see no record (young_people_visible_to).
is_duty_admin = _role(Role.DUTY_ADMIN)
rules.add_perm("careleavers.send_cards", is_duty_admin)

# --- Arrangements (approvals) and pathway plans --------------------------------------------------
# Each permission is a list of checks, each with the refusal the person sees when it is the first to
# fail (services raise NotAllowed with it; core.transitions reads it). The permission itself is the
# checks and-ed together, so `rules.has_perm` and `refusal` always agree.

_REFUSALS: dict[str, tuple[tuple[rules.Predicate, str], ...]] = {}


def _add_perm_with_refusals(name: str, *checks: tuple[rules.Predicate, str]) -> None:
    predicate = checks[0][0]
    for check, _ in checks[1:]:
        predicate = predicate & check
    rules.add_perm(name, predicate)
    _REFUSALS[name] = checks


def refusal(name: str, user, obj=None) -> str | None:
    """Why `user` may not have permission `name` on `obj` (the first failing check's message), or None."""
    checks = _REFUSALS.get(name)
    if checks is None:
        return None if rules.has_perm(name, user, obj) else "You cannot do this."
    for predicate, message in checks:
        if not predicate.test(user, obj):
            return message
    return None


@rules.predicate
def leads_team_of(user, record) -> bool:
    """A Team Leader decides only for their own team."""
    return manages_team_of.test(user, _young_person_of(record))


@rules.predicate
def did_not_request(user, arrangement) -> bool:
    """Segregation of duties: whoever requested an arrangement never decides on it (the requester and whoever
    the request's decision row names: approvals.models.Arrangement.chain_actor_ids)."""
    staff = getattr(user, "staff", None)
    return staff is not None and arrangement is not None and staff.pk not in arrangement.chain_actor_ids["request"]


def _took_no_other_step(step: str) -> rules.Predicate:
    """Segregation of duties across role changes (issue 14): whoever took a step of the chain (request, Team
    Leader's decision, Service Leader's decision), in whatever role they held then or hold now, takes no other
    step of it. Read from the arrangement's decision rows (approvals.models.Arrangement.chain_actor_ids, keyed by
    step; a decision step is named after the role that takes it), not from the person's role today."""

    @rules.predicate(name=f"took_no_step_of_chain_but_{step}")
    def predicate(user, arrangement) -> bool:
        staff = getattr(user, "staff", None)
        if staff is None or arrangement is None:
            return False
        return all(staff.pk not in ids for taken, ids in arrangement.chain_actor_ids.items() if taken != step)

    return predicate


took_no_step_but_team_leaders = _took_no_other_step(Role.TEAM_LEADER.value)
took_no_step_but_service_leaders = _took_no_other_step(Role.SERVICE_LEADER.value)


def approval_on_record_stands(arrangement) -> bool:
    """R5 re-checks R4 (issue 14): the Team Leader approval on record (the latest decision of the chain) was given
    by someone who was then a Team Leader of the young person's team and did not request it, and the young person
    is still in that team. A condition of the record (approvals.transitions), not of who asks."""
    approval = arrangement.team_leader_approval
    young_person = _young_person_of(arrangement)
    return (
        approval is not None
        and approval.role == Role.TEAM_LEADER
        and approval.actor_id not in arrangement.chain_actor_ids["request"]
        and young_person is not None
        and young_person.pa is not None
        and approval.team_id == young_person.pa.team_id
    )


@rules.predicate
def did_not_write_or_submit(user, plan) -> bool:
    """Segregation of duties: whoever wrote any part of a plan version (started it, edited a section, submitted
    it: pathway.models.PathwayPlan.writer_ids), in whatever role, never decides on it (P3, issue 14)."""
    staff = getattr(user, "staff", None)
    if staff is None or plan is None:
        return False
    return staff.pk not in plan.writer_ids


_PA_ON_CASE = is_pa & sees_young_person_of
_TOOK_A_STEP = "You have already taken another step of this request (requested or decided on it): someone else decides."
_TEAM_LEADER_DECIDES = (
    (is_team_leader, "Only a Team Leader can decide on this request."),
    (leads_team_of, "A Team Leader decides only for young people in their own team."),
    (did_not_request, "Whoever requests an arrangement cannot also decide on it."),
    (took_no_step_but_team_leaders, _TOOK_A_STEP),
)
_SERVICE_LEADER_DECIDES = (  # R5
    (is_service_leader, "Only a Service Leader can record agreement to reduced visits."),  # R5
    (did_not_request, "Whoever requests an arrangement cannot also decide on it."),
    (took_no_step_but_service_leaders, _TOOK_A_STEP),
)

_add_perm_with_refusals("approvals.request_arrangement",
                        (_PA_ON_CASE, "Only the young person's Personal Adviser can request an arrangement."))
#: R3, R4, S3, D2: the Team Leader's step (approve, or reject what waits for them).
_add_perm_with_refusals("approvals.approve_arrangement", *_TEAM_LEADER_DECIDES)
_add_perm_with_refusals("approvals.reject_arrangement", *_TEAM_LEADER_DECIDES)
#: R5: the Service Leader's step (agree, or refuse to agree); the Head of Service does not replace them.
_add_perm_with_refusals("approvals.agree_arrangement", *_SERVICE_LEADER_DECIDES)
_add_perm_with_refusals("approvals.refuse_agreement", *_SERVICE_LEADER_DECIDES)
_add_perm_with_refusals("approvals.withdraw_arrangement",
                        (_PA_ON_CASE, "Only the young person's Personal Adviser can withdraw a request."))
#: Returning to the standard pattern needs no approval: the PA, the team's Team Leader or a service-wide manager.
_add_perm_with_refusals(
    "approvals.end_arrangement",
    (is_pa | is_manager, "You cannot end an arrangement."),
    (~is_team_leader | leads_team_of, "A Team Leader decides only for young people in their own team."),
    (sees_young_person_of, "Only the young person's Personal Adviser can end their arrangement."),
)
#: S2
_add_perm_with_refusals("approvals.record_step_back_item",
                        (_PA_ON_CASE, "Only the young person's Personal Adviser records what was given."))
# "approvals.view_queue" (above): managers. What waits for whom in that queue:
rules.add_perm("approvals.see_waiting_for_team_leader", is_team_leader | is_head_of_service)
rules.add_perm("approvals.see_waiting_for_service_leader", is_service_leader | is_head_of_service)
#: R1 is a condition that keeps holding: whoever writes the record may mark the young person vulnerable or at
#: risk (or no longer); a pending or active reduced-visits arrangement is then put up for review.
_add_perm_with_refusals("careleavers.flag_vulnerable",
                        (writes_records, "Only Personal Advisers and managers can write to a young person's record."),
                        (sees_young_person_of, "This young person is not on your caseload."))
#: The Team Leader's review of an arrangement put up for review (R1, E3): it continues, or they end it. Reviewing
#: is not a step of the chain, so the Team Leader who approved it reviews it; the requester never does.
_add_perm_with_refusals("approvals.review_arrangement", *_TEAM_LEADER_DECIDES[:3])
#: T4, reg 7: a visit interval other than the pack's is a manager's recorded agreement (supervision).
_add_perm_with_refusals(
    "compliance.set_interval_override",
    (is_team_leader | is_service_leader, "Only a Team Leader or a Service Leader agrees a visit interval."),  # T4
    (~is_team_leader | leads_team_of, "A Team Leader decides only for young people in their own team."),
    (sees_young_person_of, "This young person is not on your caseload."),
)

_PA_WRITES_PLAN = (_PA_ON_CASE, "Only the young person's Personal Adviser can write their pathway plan.")
_TEAM_LEADER_SIGNS_OFF = (  # P3
    (is_team_leader, "Only a Team Leader signs off or returns a pathway plan."),
    (leads_team_of, "A Team Leader decides only for young people in their own team."),
    (did_not_write_or_submit, "Whoever wrote or submitted a plan cannot also decide on it."),
)
_add_perm_with_refusals("pathway.start_plan", _PA_WRITES_PLAN)
_add_perm_with_refusals("pathway.edit_plan", _PA_WRITES_PLAN)
_add_perm_with_refusals("pathway.submit_plan", _PA_WRITES_PLAN)
_add_perm_with_refusals("pathway.return_plan", *_TEAM_LEADER_SIGNS_OFF)
_add_perm_with_refusals("pathway.sign_off_plan", *_TEAM_LEADER_SIGNS_OFF)
#: P4
_add_perm_with_refusals("pathway.record_plan_shared", _PA_WRITES_PLAN)
# "pathway.view_queue" (above): managers; the queue lists only the young people they see.

# --- Write rights follow duties (issue 14): contacts, escalation steps, events -------------------------
# Service Leaders and the Head of Service read every record and write only what their duties need (R5
# agreements, T4 intervals, oversight, returns details: above). The day-to-day record is written by a PA on the
# case (own caseload or cover today) or by the Team Leader of the young person's team. Role checks first, so a
# page asking for every button costs at most the one (remembered) visibility query.

_WRITES_DAY_TO_DAY = (
    (is_pa | is_team_leader, "Only the young person's Personal Adviser or their Team Leader writes this to the record."),
    (~is_team_leader | leads_team_of, "A Team Leader writes only to the records of their own team."),
    (sees_young_person_of, "This young person is not on your caseload."),
)
_add_perm_with_refusals("careleavers.record_contact", *_WRITES_DAY_TO_DAY)
_add_perm_with_refusals("contacts.log_contact", *_WRITES_DAY_TO_DAY)
_add_perm_with_refusals("contacts.record_escalation", *_WRITES_DAY_TO_DAY)
_add_perm_with_refusals("careleavers.record_event", *_WRITES_DAY_TO_DAY)


@rules.predicate
def recorded_contact(user, contact) -> bool:
    """The member of staff is who recorded the contact."""
    staff = getattr(user, "staff", None)
    return staff is not None and contact is not None and getattr(contact, "recorded_by_id", None) == staff.pk


#: A contact recorded in error is voided (with a reason, the PA told) by whoever recorded it, while they are a PA
#: on the case, or by the Team Leader of the allocated PA's team. The object is the contact.
_add_perm_with_refusals(
    "contacts.void_contact",
    ((is_pa & recorded_contact) | leads_team_of,
     "Only whoever recorded a contact, or the Personal Adviser's Team Leader, can mark it as recorded in error."),
    (sees_young_person_of, "This young person is not on your caseload."),
)

# --- Sign-in (accounts): unlocking a sign-in that django-axes locked -------------------------------


@rules.predicate
def leads_team_of_staff(user, staff) -> bool:
    """A Team Leader unlocks sign-ins only for the staff of their own team."""
    me = getattr(user, "staff", None)
    return (
        me is not None
        and me.role == Role.TEAM_LEADER
        and staff is not None
        and staff.team_id is not None
        and staff.team_id == me.team_id
    )


rules.add_perm("accounts.view_unlocks", is_superuser | is_team_leader)
rules.add_perm("accounts.unlock_sign_in", rules.is_superuser | leads_team_of_staff)

# --- Records: who viewed what, subject access, retention (issue 14, items 7-9) ---------------------
#: The log of views and changes, read by young person and by user.
rules.add_perm("core.view_audit_log", is_service_leader)
#: A subject access request: everything held about one young person, as JSON and a readable PDF.
rules.add_perm("careleavers.export_subject_access", is_service_leader & can_see_young_person)
#: The records past their retention date (the 75th birthday), for review; nothing is deleted.
rules.add_perm("careleavers.review_retention", is_service_leader)

# --- issue 11 (items 1, 6, 8, 9): registration, allocation and cover, closing and reopening ---


def case_team_id(young_person):
    """The team a case belongs to: its PA's, or while no PA holds it, the team it was referred to."""
    if young_person is None:
        return None
    if young_person.pa is not None:
        return young_person.pa.team_id
    return getattr(young_person, "referring_team_id", None)


@rules.predicate
def leads_case_team_of(user, young_person) -> bool:
    """A Team Leader manages the cases of their own team, the unallocated referrals to it included."""
    staff = getattr(user, "staff", None)
    return (staff is not None and staff.role == Role.TEAM_LEADER and staff.team_id is not None
            and case_team_id(young_person) == staff.team_id)


#: A Team Leader registers, allocates and sets cover only within their own team (the services check the team).
rules.add_rule("careleavers.team_leader_only_own_team", is_team_leader)
#: Registration and the unallocated queue: Team Leaders (their team's referrals) and the Service Leader (all).
rules.add_perm("careleavers.register_young_person", is_team_leader | is_service_leader)
rules.add_perm("careleavers.view_unallocated", is_team_leader | is_service_leader)
#: Allocation, reallocation, cover, closing, reopening, the s3 request: the Team Leader of the case's team
#: (to a PA of that team: the service checks the PA), the Service Leader across teams.
_MANAGES_CASE = (
    (is_team_leader | is_service_leader, "Only a Team Leader or the Service Leader does this."),
    (~is_team_leader | leads_case_team_of, "A Team Leader does this only for young people in their own team."),
)
_add_perm_with_refusals("careleavers.allocate", *_MANAGES_CASE)
_add_perm_with_refusals("careleavers.set_cover", *_MANAGES_CASE)
_add_perm_with_refusals("careleavers.close_case", *_MANAGES_CASE)
_add_perm_with_refusals("careleavers.reopen_case", *_MANAGES_CASE)
_add_perm_with_refusals("careleavers.record_extended_support", *_MANAGES_CASE)


@rules.predicate
def manages_staff(user, staff) -> bool:
    """The Service Leader for anyone; a Team Leader for the staff of their own team."""
    return is_service_leader.test(user) or leads_team_of_staff.test(user, staff)


#: V5: a Team Leader enters a PA's planned absence (and sets cover for it); the Service Leader for any team.
rules.add_perm("careleavers.plan_absence_for", manages_staff)
rules.add_perm("careleavers.plan_team_absences", is_team_leader | is_service_leader)

# --- issue 11 (items 2-5, 7, 10): identity and contact details, accommodation, EET, legal status, flags ---
#: Item 2: the Details page (contact details, addresses, key professionals) is read by whoever sees the record and
#: edited by a PA on the case, the Team Leader of the young person's team or a Service Leader.
rules.add_perm("careleavers.view_details", can_see_young_person)
_add_perm_with_refusals(
    "careleavers.edit_details",
    (is_pa | is_team_leader | is_service_leader,
     "Only the young person's Personal Adviser, their Team Leader or a Service Leader edits their details."),
    (~is_team_leader | leads_team_of, "A Team Leader writes only to the records of their own team."),
    (sees_young_person_of, "This young person is not on your caseload."),
)
#: Items 3 and 4: a move of accommodation, a change of education, employment or training: the day-to-day record.
_add_perm_with_refusals("careleavers.record_accommodation", *_WRITES_DAY_TO_DAY)
_add_perm_with_refusals("careleavers.record_activity", *_WRITES_DAY_TO_DAY)
#: Item 7: flags are set and cleared by whoever writes the record (as "careleavers.flag_vulnerable", R1).
_add_perm_with_refusals("careleavers.set_flag",
                        (writes_records, "Only Personal Advisers and managers can write to a young person's record."),
                        (sees_young_person_of, "This young person is not on your caseload."))

# --- issue 12 (items 1-3): case notes, management oversight, supervision ---
# Item 1: anyone who may see a young person writes a case note; a restricted note (safeguarding detail) is read
# only by managers who see the young person and by the allocated PA (not a PA covering the case). Earlier versions
# of a corrected note are read by managers only. The same rule narrows the notes in the selectors
# (readable_case_notes), so a page can never list a note its reader may not open.


def reads_restricted_notes(user, young_person) -> bool:
    """A manager (who sees the young person: asked separately), or the young person's allocated PA."""
    staff = staff_of(user)
    if staff is None or young_person is None:
        return False
    return staff.role in (Role.TEAM_LEADER, *SERVICE_WIDE_ROLES) or (
        staff.role == Role.PA and young_person.pa_id == staff.pk)


def readable_case_notes(notes, *, restricted_too: bool):
    """The case notes (a CaseNote queryset) a reader may read: restricted ones dropped unless `restricted_too`, which
    is reads_restricted_notes(user, young_person) (issue 16: given as a value, so the young person's page compiles its
    notes' queries once per kind of reader). Whether the user sees the young person at all is the caller's
    selector's job."""
    return notes if restricted_too else notes.filter(restricted=False)


@rules.predicate
def may_read_note(user, note) -> bool:
    return note is not None and (not note.restricted or reads_restricted_notes(user, note.young_person))


@rules.predicate
def wrote_note(user, note) -> bool:
    """The member of staff wrote the note (its first version)."""
    staff = staff_of(user)
    if staff is None or note is None:
        return False
    first_author = note.original.author_id if note.original_id else note.author_id
    return first_author == staff.pk


@rules.predicate
def note_is_written_by_staff(user, note) -> bool:
    """Notes the services write as by-products (contacts, plans, arrangements, escalations) are corrected through
    their own records, not here."""
    return note is not None and note.kind in ("general", "professional", "safeguarding", "oversight", "supervision")


_MANAGER_OF_CASE = (is_manager & (~is_team_leader | leads_team_of))
_add_perm_with_refusals("careleavers.write_case_note",
                        (writes_records, "Only Personal Advisers and managers can write to a young person's record."),
                        (sees_young_person_of, "This young person is not on your caseload."))
_add_perm_with_refusals("careleavers.view_case_note",
                        (sees_young_person_of, "This young person is not on your caseload."),
                        (may_read_note, "This note is restricted: only managers and the allocated Personal Adviser read it."))
rules.add_perm("careleavers.view_note_versions", is_manager & sees_young_person_of)
#: A correction is a new version (never an edit): by whoever wrote the note, or a manager of the case.
_add_perm_with_refusals(
    "careleavers.correct_case_note",
    (sees_young_person_of, "This young person is not on your caseload."),
    (may_read_note, "This note is restricted: only managers and the allocated Personal Adviser read it."),
    (note_is_written_by_staff, "This note was written with a contact, plan or arrangement: correct that record instead."),
    (wrote_note | _MANAGER_OF_CASE, "Only whoever wrote a note, or a manager of the case, corrects it."),
)
# Item 2: management oversight on a case (and the answer to a PA's update on an overdue item, O1): a Team Leader of
# the young person's team, a Service Leader or the Head of Service. The object is the young person.
_add_perm_with_refusals(
    "careleavers.record_oversight",
    (is_manager, "Only a Team Leader, a Service Leader or the Head of Service records management oversight."),
    (~is_team_leader | leads_team_of, "A Team Leader records oversight only for young people in their own team."),
    (sees_young_person_of, "This young person is not on your caseload."),
)


@rules.predicate
def reviews_dashboard_of(user, team) -> bool:
    """O1: a Team Leader reviews their own team's dashboard; Service Leaders and the Head of Service any team's
    and the service's (team None)."""
    staff = staff_of(user)
    if staff is None:
        return False
    if staff.role in SERVICE_WIDE_ROLES:
        return True
    return staff.role == Role.TEAM_LEADER and team is not None and team.pk == staff.team_id


rules.add_perm("oversight.record_dashboard_review", reviews_dashboard_of)
# Item 3: supervision of a PA by the PA's own Team Leader, or a Service Leader. The object is the PA.


@rules.predicate
def supervises(user, pa) -> bool:
    staff = staff_of(user)
    if staff is None or pa is None or pa.role != Role.PA:
        return False
    return staff.role == Role.SERVICE_LEADER or (staff.role == Role.TEAM_LEADER and pa.team_id == staff.team_id)


rules.add_perm("careleavers.record_supervision", supervises)
rules.add_perm("careleavers.view_supervisions", is_team_leader | is_service_leader)

# --- issue 12 (items 4-7): documents, contact corrections, chronology, duty ---
#: Documents (item 4): whoever may see the young person reads and downloads them (each download audited); the
#: day-to-day writers (a PA on the case, the team's Team Leader) upload and supersede them.
rules.add_perm("careleavers.view_documents", can_see_young_person)
_add_perm_with_refusals("careleavers.upload_document", *_WRITES_DAY_TO_DAY)
#: Contact corrections (item 5): as voiding, whoever recorded it (while a PA on the case) or the allocated PA's Team
#: Leader; managers who see the young person read the earlier versions ("careleavers.view_history").
_add_perm_with_refusals(
    "contacts.correct_contact",
    ((is_pa & recorded_contact) | leads_team_of,
     "Only whoever recorded a contact, or the Personal Adviser's Team Leader, can correct it."),
    (sees_young_person_of, "This young person is not on your caseload."),
)
#: The chronology (item 6): read by whoever sees the young person; key events marked by the day-to-day writers.
rules.add_perm("careleavers.view_chronology", can_see_young_person)
_add_perm_with_refusals("careleavers.mark_key_event", *_WRITES_DAY_TO_DAY)


@rules.predicate
def is_on_duty_today(user) -> bool:
    """Item 7: the member of staff is on duty today (a careleavers.DutyDay row for today's date)."""
    staff = staff_of(user)
    if staff is None:
        return False
    return staff.duty_days.filter(date=timezone.localdate()).exists()


#: Duty (item 7): a Team Leader puts a PA of their own team on duty for a day (the object is the PA).
rules.add_perm("careleavers.view_duty_rota", is_team_leader)
_add_perm_with_refusals(
    "careleavers.assign_duty",
    (is_team_leader, "Only a Team Leader puts a Personal Adviser on duty."),
    (leads_team_of_staff, "A Team Leader puts only the Personal Advisers of their own team on duty."),
)
#: Search: everyone who sees young people finds those they may see; a PA on duty today finds anyone in the service
#: and opens a record outside their caseload only by giving a reason (break-glass, an audit event per opening).
rules.add_perm("careleavers.search_young_people", is_pa | is_manager)
_add_perm_with_refusals(
    "careleavers.break_glass",
    (is_pa, "Only a Personal Adviser on duty can open a record outside their caseload."),
    (is_on_duty_today, "You are not on duty today: search finds only the young people you may see."),
)

# --- issue 13: the pathway plan as a document ---

# --- issue 15: pages as their users want them ---
# Item 6: the navigation offers only what the role can act on. Each queue is in the menu of whoever decides there:
# plans are signed off by Team Leaders (P3); arrangements are approved by Team Leaders and agreed by Service
# Leaders (R4, R5); oversight items are answered by the young person's Team Leader (S5). The pages themselves keep
# their wider read permissions (pathway.view_queue, approvals.view_queue, contacts.view_oversight_items).
rules.add_perm("pathway.nav_queue", is_team_leader)
rules.add_perm("approvals.nav_queue", is_team_leader | is_service_leader)
rules.add_perm("contacts.nav_oversight_items", is_team_leader)
#: The caseload is for whoever sees young people's records (the duty admin sees none: T9's card list is theirs).
rules.add_perm("careleavers.nav_caseload", writes_records)
#: Item 5: the young person's situation beside a decision page, for the managers who decide (TL, SL, HoS reading).
rules.add_perm("careleavers.view_decision_context", is_manager)

# --- issue 16: performance at national scale ---
#: Item 2: the stored returns are worked out again on demand by a Service Leader ("Recompute now").
rules.add_perm("returns.recompute", is_service_leader)
