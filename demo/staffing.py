"""issue 15, item 8: what the feature demo modules (demo/seed_<feature>.py) read from seed_demo's
`staff_by_role_and_team` ({(role, team ref or None): [Staff, ...]}, each list ordered by ref)."""

from careleavers.models import Role, Staff

StaffByRoleAndTeam = dict[tuple[str, str | None], list[Staff]]


def everyone(staff_by_role_and_team: StaffByRoleAndTeam) -> list[Staff]:
    """Every member of staff, ordered by ref (deterministic)."""
    return sorted((s for members in staff_by_role_and_team.values() for s in members), key=lambda s: s.ref)


def personal_advisers(staff_by_role_and_team: StaffByRoleAndTeam) -> list[Staff]:
    """The Personal Advisers, ordered by ref."""
    return [s for s in everyone(staff_by_role_and_team) if s.role == Role.PA]


def team_leaders(staff_by_role_and_team: StaffByRoleAndTeam) -> dict[int, Staff]:
    """Team id -> that team's first Team Leader (by ref), teams in ref order."""
    found: dict[int, Staff] = {}
    for member in everyone(staff_by_role_and_team):
        if member.role == Role.TEAM_LEADER and member.team_id is not None:
            found.setdefault(member.team_id, member)
    return found
