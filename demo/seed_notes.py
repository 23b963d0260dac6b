"""Demo data for issue 12, items 1-3: case notes written by staff (one restricted, one corrected), one supervision
session covering a PA's young people (with an interval agreed in supervision, T4), one dashboard review, and an
answer to a PA's update on an overdue item when there is one. Written through the services, so the audit log,
permissions and due dates are as in real use.

seed_demo calls `seed(today=..., staff_by_role_and_team=..., young_people=...)` (FEATURE_SEEDS), last, after the
weekly trend's recomputes (the T4 interval and the overdue update need the young people's requirements) and before
the final recompute."""

import datetime as dt

from careleavers.models import CaseNoteKind, Role, Staff, YoungPerson
from careleavers.services import case_note_correct, case_note_write
from compliance.models import Requirement
from compliance.selectors import pack_intervals_for
from compliance.services import supervision_record
from core.errors import ServiceError
from demo.staffing import StaffByRoleAndTeam, everyone
from oversight.services import dashboard_review_record, overdue_update_add, overdue_update_answer

NOTES = (
    (CaseNoteKind.GENERAL, "Catch-up call", "Talked about the college course and the bus pass. Happy with the flat.", False),
    (CaseNoteKind.PROFESSIONAL, "Call from the housing officer",
     "The housing officer rang: rent arrears of two weeks; a payment plan is agreed.", False),
    (CaseNoteKind.SAFEGUARDING, "Safeguarding: disclosure",
     "Disclosed contact with a former partner. Strategy discussion requested with the MASH.", True),
)


def seed(*, today: dt.date, staff_by_role_and_team: StaffByRoleAndTeam, young_people: list[YoungPerson]) -> dict[str, int]:
    staff: list[Staff] = everyone(staff_by_role_and_team)
    counts = {"case notes written": 0, "supervision sessions": 0, "dashboard reviews": 0, "overdue answers": 0}
    pa = next((s for s in staff if s.role == Role.PA and any(yp.pa_id == s.pk for yp in young_people)), None)
    if pa is None:
        return counts
    leader = next((s for s in staff if s.role == Role.TEAM_LEADER and s.team_id == pa.team_id), None)
    caseload = [yp for yp in young_people if yp.pa_id == pa.pk][:3]
    for yp in caseload[:2]:
        for kind, subject, text, restricted in NOTES:
            note = case_note_write(young_person=yp, actor=pa, kind=kind, subject=subject, text=text,
                                   restricted=restricted)
            counts["case notes written"] += 1
        case_note_correct(note=note, actor=pa, subject=note.subject, reason="Named the wrong agency.",
                          text=note.text.replace("the MASH", "children's social care (MASH)"))
    if leader is not None:
        items = [{"young_person": yp, "text": f"Discussed {yp.name}: plans for the next visit and the college place."}
                 for yp in caseload]
        # T4: the interval is agreed for the first of them whom a visit interval applies to (the standard pattern:
        # under an arrangement the pack sets no visit interval, and the service would refuse it).
        agreed = next((n for n, yp in enumerate(caseload) if "visit" in pack_intervals_for(yp, on=today)), None)
        if agreed is not None:
            items[agreed] |= {"text": f"{caseload[agreed].name}: agreed a visit every 10 weeks for now.",  # T4
                              "requirement": "visit", "interval_days": 70}
        try:
            supervision_record(pa=pa, actor=leader, held_on=today, summary="Workload and training plan.",
                               items=items, today=today)
        except ServiceError:  # the interval does not apply under this pack: record the session without it
            if agreed is None:
                raise
            items[agreed].pop("requirement")
            supervision_record(pa=pa, actor=leader, held_on=today, summary="Workload and training plan.",
                               items=items, today=today)
        counts["supervision sessions"] += 1
        dashboard_review_record(actor=leader, dashboard="team", team=leader.team, period="weekly", reviewed_on=today,
                                actions="Book the overdue visits this week; check the pathway plans due next month.")
        counts["dashboard reviews"] += 1
        overdue = (Requirement.objects.filter(young_person__pa=pa, due__lt=today).select_related("young_person")
                   .order_by("due").first())
        if overdue is not None:
            update = overdue_update_add(young_person=overdue.young_person, requirement=overdue.code, actor=pa,
                                        reason="Two cancelled appointments.", plan="Unannounced visit on Friday.",
                                        today=today)
            overdue_update_answer(update=update, actor=leader,
                                  text="Agreed. If the visit does not happen this week, we review the support.")
            counts["overdue answers"] += 1
    return counts
