"""issue 15, item 8: what the feature demo modules (demo/seed_<feature>.py) read from seed_demo's
`staff_by_role_and_team` ({(role, team ref or None): [Staff, ...]}, in the order the demo created them: the
North team first, so the features land where the README's tour starts)."""

from careleavers.models import Role, Staff

StaffByRoleAndTeam = dict[tuple[str, str | None], list[Staff]]


def everyone(staff_by_role_and_team: StaffByRoleAndTeam) -> list[Staff]:
    """Every member of staff, in the mapping's order (deterministic)."""
    return [s for members in staff_by_role_and_team.values() for s in members]


def personal_advisers(staff_by_role_and_team: StaffByRoleAndTeam) -> list[Staff]:
    """The Personal Advisers, in order."""
    return [s for s in everyone(staff_by_role_and_team) if s.role == Role.PA]


def team_leaders(staff_by_role_and_team: StaffByRoleAndTeam) -> dict[int, Staff]:
    """Team id -> that team's first Team Leader, teams in order."""
    found: dict[int, Staff] = {}
    for member in everyone(staff_by_role_and_team):
        if member.role == Role.TEAM_LEADER and member.team_id is not None:
            found.setdefault(member.team_id, member)
    return found
