"""Role and caseload permissions in one module (django `rules`), used by services, views and templates.

Object-level checks are built on the young people a member of staff may see
(careleavers.selectors.young_people_visible_to, i.e. YoungPerson.objects.visible_to).
This module imports no other app: predicates read the attributes of the records they are given.
"""

import rules

from .roles import SERVICE_WIDE_ROLES, Role


@rules.predicate
def has_staff(user) -> bool:
    return hasattr(user, "staff")


def _role(*roles):
    @rules.predicate(name=f"is_{'_or_'.join(roles)}")
    def predicate(user) -> bool:
        return hasattr(user, "staff") and user.staff.role in roles

    return predicate


is_pa = _role(Role.PA)
is_team_leader = _role(Role.TEAM_LEADER)
is_service_wide = _role(*SERVICE_WIDE_ROLES)
is_manager = _role(Role.TEAM_LEADER, *SERVICE_WIDE_ROLES)
is_service_leader = _role(Role.SERVICE_LEADER)


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
rules.add_perm("careleavers.record_contact", can_see_young_person & (is_pa | is_manager))
rules.add_perm("careleavers.view_history", can_see_young_person & is_manager)
rules.add_perm("careleavers.view_dashboards", is_manager)
rules.add_perm("returns.export", is_service_wide)

# Navigation and pages that are for a role's duties rather than for one record.
rules.add_perm("pathway.view_queue", is_manager)
rules.add_perm("approvals.view_queue", is_manager)
rules.add_perm("careleavers.plan_absence", is_pa)

# --- Contacts, escalation, events, absences, notifications, returns, dashboards, history ----------
# (careleavers, contacts, compliance events, oversight, returns)

# --- Arrangements (approvals) and pathway plans --------------------------------------------------
