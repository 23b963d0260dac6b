"""Issue 15, item 8: the demo's base data is built through the domain services, each act on its own day, so it obeys
every rule and carries what real use leaves behind (audit rows, case notes, decisions, recomputed requirements).

Each check would fail if seed_demo wrote its base data with Model.objects.create again (no audit row, no case note,
no decision chain) or stamped its acts with the clock of the seeding (decision dates off the timeline). One seed for
all the checks: seed_demo takes a while."""

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from approvals.models import Arrangement, ArrangementKind, ArrangementState, Decision, Step
from careleavers.models import CaseNote, CaseNoteKind, Event, Notification, YoungPerson
from compliance.engine import recompute
from compliance.models import Requirement, RequirementCode
from contacts.models import Contact, Escalation, InTouchCheck
from core.dates import age_on
from core.models import AuditEvent, AuditKind
from pathway.models import PathwayPlan, PlanAction, PlanState
from tests.seeded import full_demo
from tests.seeded import full_demo_today as today  # the seed's day, whichever side of midnight the test runs

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("full-demo")]  # one worker seeds it (tests/seeded.py)


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def audited(kind: str, model) -> dict[str, list[AuditEvent]]:
    """object id -> the audit events of `kind` written for rows of `model`."""
    found: dict[str, list[AuditEvent]] = {}
    for event in AuditEvent.objects.filter(kind=kind, object_type=model._meta.label_lower):
        found.setdefault(event.object_id, []).append(event)
    return found


@pytest.fixture
def demo():
    # The full seed of tests/demo/test_seed_demo.py and test_issue15_features.py, made once per test process
    # (tests/seeded.py): `started` is when that seed began.
    return {"started": full_demo()["started"]}


def _every_contact_was_logged_through_the_service_on_its_day():
    logs = audited(AuditKind.CONTACT_LOGGED, Contact)
    contacts = list(Contact.objects.all())
    assert len(contacts) > 500
    for contact in contacts:
        [event] = logs[str(contact.pk)]  # contact_log's audit row, one per contact
        assert local_day(event.at) == contact.date == local_day(contact.created_at), contact.pk
        assert contact.date >= contact.young_person.allocated_on  # check_record_date


def _every_in_touch_check_and_escalation_has_its_audit_row_and_case_note():
    checks = audited(AuditKind.IN_TOUCH_CHECK_RECORDED, InTouchCheck)
    assert InTouchCheck.objects.exists()
    for check in InTouchCheck.objects.all():
        assert len(checks[str(check.pk)]) == 1 and check.contact_id is not None
    escalations = list(Escalation.objects.all())
    assert escalations
    steps = audited(AuditKind.ESCALATION_RECORDED, Escalation)
    for escalation in escalations:
        assert len(steps[str(escalation.pk)]) == 1
        note = CaseNote.objects.get(young_person=escalation.young_person_id, kind=CaseNoteKind.ESCALATION,
                                    subject__endswith=f"on {escalation.date.day} {escalation.date:%b %Y}")
        assert local_day(note.created_at) == escalation.date  # written on the day of the step (E1)
    events = audited(AuditKind.EVENT_RECORDED, Event)
    assert Event.objects.exists() and all(str(e.pk) in events for e in Event.objects.all())


def _every_signed_off_plan_has_its_decision_chain_and_sign_off_note_on_its_review_day():
    plans = list(PathwayPlan.objects.filter(state=PlanState.SIGNED_OFF).select_related("young_person"))
    assert len(plans) > 60
    for plan in plans:
        actions = [d.action for d in plan.decisions.order_by("at", "id")]
        assert actions[:2] == [PlanAction.SUBMITTED, PlanAction.SIGNED_OFF], plan.pk  # P3, O2
        signed = plan.decisions.get(action=PlanAction.SIGNED_OFF)
        assert local_day(signed.at) == plan.review_date == local_day(plan.signed_off_at)
        assert plan.submitted_at <= plan.signed_off_at
        assert plan.review_date >= plan.young_person.allocated_on
        note = CaseNote.objects.get(young_person=plan.young_person, kind=CaseNoteKind.PLAN,
                                    subject__startswith=f"Pathway plan v{plan.version} signed off")
        assert local_day(note.created_at) == plan.review_date
        # reg 8(2)(b): the visit before the review is on the record, or the Team Leader said why not.
        assert plan.visit_before_review_on or plan.no_visit_reason
        if plan.review_date < today():  # the history's plans were shared with the young person (P4); today's not yet
            assert plan.shared_with_young_person_on and plan.review_date <= plan.shared_with_young_person_on <= today()


def _arrangement_decisions_follow_the_request_on_the_young_persons_timeline():
    arrangements = list(Arrangement.objects.select_related("young_person"))
    assert {a.kind for a in arrangements if a.state == ArrangementState.ACTIVE} == {
        ArrangementKind.REDUCED_VISITS, ArrangementKind.STEP_BACK, ArrangementKind.DIFFERENT_NEEDS}
    for arrangement in arrangements:
        yp = arrangement.young_person
        decisions = list(arrangement.decisions.order_by("at", "id"))
        assert decisions[0].step == Step.REQUEST and decisions[0].decision == Decision.REQUESTED
        days = [local_day(d.at) for d in decisions]
        assert days == sorted(days) and yp.allocated_on <= days[0] and days[-1] <= today(), arrangement.pk
        assert local_day(arrangement.requested_at) == days[0]
        if arrangement.kind == ArrangementKind.REDUCED_VISITS:  # R1 held on the day it was asked for
            assert age_on(yp.date_of_birth, days[0]) >= 18 and not yp.vulnerable
        if arrangement.state == ArrangementState.ACTIVE:
            chain = [d for d in decisions if d.step != Step.REVIEW]  # tonight's E3 review requests come after
            steps = [d.step for d in chain]
            wanted = ([Step.REQUEST, Step.TEAM_LEADER, Step.SERVICE_LEADER]
                      if arrangement.kind == ArrangementKind.REDUCED_VISITS else [Step.REQUEST, Step.TEAM_LEADER])
            assert steps == wanted  # R5 for reduced visits; S3, D2 at the Team Leader's approval
            assert arrangement.active_from == local_day(chain[-1].at)
            subjects = set(CaseNote.objects.filter(young_person=yp, kind=CaseNoteKind.ARRANGEMENT)
                           .values_list("subject", flat=True))
            assert any(s.endswith("requested") for s in subjects)
    # Only reduced visits wait for the Service Leader (R5); a step back or different needs is active once approved.
    waiting = Arrangement.objects.filter(state=ArrangementState.TEAM_LEADER_APPROVED)
    assert waiting.exists() and set(waiting.values_list("kind", flat=True)) == {ArrangementKind.REDUCED_VISITS}


def _nothing_is_stamped_after_the_seeding_began_or_before_the_young_persons_allocation(demo):
    for note in CaseNote.objects.select_related("young_person"):
        assert note.created_at <= timezone.now()
        if note.young_person.allocated_on:
            assert local_day(note.created_at) >= note.young_person.allocated_on, note.subject
    # What the history told people was read when it came; the unread notifications are today's (waiting work, alerts).
    assert not Notification.objects.filter(read_at__isnull=True, created_at__lt=demo["started"]).exists()
    assert Notification.objects.filter(read_at__isnull=True, kind="plan_submitted").exists()
    kinds = Counter(AuditEvent.objects.filter(at__lt=demo["started"]).values_list("kind", flat=True))
    assert kinds[AuditKind.CONTACT_LOGGED] > 500 and kinds[AuditKind.PLAN_SIGNED_OFF] > 60  # the history's own days


def _submitted_plans_carry_their_pathway_review_due_date():
    due = dict(Requirement.objects.filter(code=RequirementCode.PATHWAY_REVIEW).values_list("young_person_id", "due"))
    submitted = list(PathwayPlan.objects.filter(state=PlanState.SUBMITTED))
    assert submitted
    for plan in submitted:  # P2, as plan_submit records it
        assert plan.review_due == due.get(plan.young_person_id)  # none for someone with no review requirement
    assert not PathwayPlan.objects.filter(state=PlanState.DRAFT, review_due__isnull=False).exists()


def _a_recompute_after_seeding_changes_nothing():
    def rows():
        return sorted(Requirement.objects.values_list(
            "young_person_id", "code", "basis", "last_met", "due", "due_soon_from", "interval_days"))

    before = rows()
    recompute(today())
    assert rows() == before


def _most_young_people_have_a_upn_and_legal_status_matches_age():
    people = list(YoungPerson.objects.filter(ref__startswith="YP-"))
    assert sum(1 for yp in people if yp.upn) >= 0.7 * len(people)
    for yp in people:
        assert (yp.legal_status in ("eligible", "relevant", "qualifying")) if age_on(yp.date_of_birth, today()) < 18 \
            else (yp.legal_status in ("former_relevant", "qualifying")), yp.ref


def test_demo_base_data_is_built_through_the_services(demo):
    _every_contact_was_logged_through_the_service_on_its_day()
    _every_in_touch_check_and_escalation_has_its_audit_row_and_case_note()
    _every_signed_off_plan_has_its_decision_chain_and_sign_off_note_on_its_review_day()
    _arrangement_decisions_follow_the_request_on_the_young_persons_timeline()
    _nothing_is_stamped_after_the_seeding_began_or_before_the_young_persons_allocation(demo)
    _submitted_plans_carry_their_pathway_review_due_date()
    _a_recompute_after_seeding_changes_nothing()
    _most_young_people_have_a_upn_and_legal_status_matches_age()
