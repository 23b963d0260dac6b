"""Demo data for issue 11 (items 1 and 6): a couple of referrals waiting for a PA (one of them overdue for
allocation) and a case on cover. Written through the services, so each has its audit events, case notes,
notifications and requirement rows as a real one would.

seed_demo calls it once (FEATURE_SEEDS), after its staff and young people exist and before its final recompute, as
`seed(today=..., staff_by_role_and_team=..., young_people=...)`. The referrals get demo references (R-DEMO-1, ...)
in place of the random ones registration gives, so the same day gives the same demo."""

import datetime as dt

from careleavers.models import AbsenceReason, LegalStatus, YoungPerson
from careleavers.services import absence_add
from compliance import services
from core.dates import birthday
from demo.staffing import StaffByRoleAndTeam, personal_advisers, team_leaders

#: (name, preferred name, age, legal status, days ago registered)
REFERRALS = (
    ("Morgan Ellis-Grant", "Mo", 17, LegalStatus.RELEVANT, 2),
    ("Kacper Nowak", "", 18, LegalStatus.FORMER_RELEVANT, 12),
)


def seed(*, today: dt.date, staff_by_role_and_team: StaffByRoleAndTeam,
         young_people: list[YoungPerson] | None = None) -> dict[str, int]:
    pas, leaders = personal_advisers(staff_by_role_and_team), team_leaders(staff_by_role_and_team)
    counts = {"unallocated referrals": 0, "cases on cover": 0}
    if not pas or not leaders:
        return counts
    team_id, leader = next(iter(leaders.items()))
    for n, (name, preferred, age, status, ago) in enumerate(REFERRALS, start=1):
        registered = today - dt.timedelta(days=ago)
        referral = services.young_person_register(
            actor=leader, name=name, preferred_name=preferred,
            date_of_birth=birthday(today, -age) - dt.timedelta(days=45), legal_status=status,
            legal_status_from=registered - dt.timedelta(days=20), ceased_looked_after_on=registered - dt.timedelta(days=20),
            referring_team=leader.team, today=registered,
        )
        # A council's own reference, as an import would give it: the random one would change the demo every run.
        YoungPerson.objects.filter(pk=referral.pk).update(ref=f"R-DEMO-{n}")
        counts["unallocated referrals"] += 1
    team_pas = [pa for pa in pas if pa.team_id == team_id]
    if len(team_pas) >= 2:
        # issue 15, item 8: the cover matches a planned absence of the PA away (V5), recorded as they would record it,
        # and the covering PA is not away meanwhile (seed_demo plans leave for the first two PAs from day 5).
        away, covering = team_pas[-1], team_pas[0]
        case = away.caseload.filter(closed_on__isnull=True).order_by("ref").first()
        if case is not None:
            end = today + dt.timedelta(days=4)
            absence_add(staff=away, actor=away, start=today, end=end, reason=AbsenceReason.ANNUAL_LEAVE, today=today)
            services.cover_set(young_person=case, pa=covering, actor=leader, start=today, end=end,
                               reason="Annual leave", today=today)
            counts["cases on cover"] += 1
    return counts
