"""Role and caseload permissions in one module (django `rules`), used by views and templates.

Object-level checks agree with careleavers.selectors.young_people_visible_to.
"""

import rules

from .models import SERVICE_WIDE_ROLES, Role


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
    from .selectors import young_people_visible_to

    return young_person is not None and young_people_visible_to(user).filter(pk=young_person.pk).exists()


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
