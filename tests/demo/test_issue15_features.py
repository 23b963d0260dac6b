"""Issue 15, item 8: `seed_demo` wires in every feature's demo module (demo/seed_<feature>.py, FEATURE_SEEDS) and the
whole demo is coherent: it passes the services' own checks (V1 legal status and age, R1/E2 flags and `vulnerable`)."""

from io import StringIO

import pytest
from django.core.management import call_command

from approvals.models import PENDING_STATES, Arrangement, ArrangementKind, ArrangementState
from careleavers.models import (
    VULNERABILITY_FLAGS,
    AccommodationPeriod,
    ActivityPeriod,
    AddressPeriod,
    CaseNote,
    Circumstance,
    Cover,
    Document,
    DutyDay,
    Flag,
    KeyEvent,
    KeyProfessional,
    LegalStatus,
    SupervisionSession,
    YoungPerson,
)
from compliance.models import Requirement, RequirementCode
from contacts.models import Contact, ContactCorrection
from core.dates import age_on
from demo.management.commands import seed_demo
from oversight.models import DashboardReview, OverdueAnswer
from pathway.models import PathwayPlan, PlanState
from tests.seeded import full_demo
from tests.seeded import full_demo_today as today  # the seed's day, whichever side of midnight the test runs

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("full-demo")]  # one worker seeds it (tests/seeded.py)

FEATURE_RECORDS = {
    "seed_allocation: unallocated referrals": lambda: YoungPerson.objects.filter(pa__isnull=True).count(),
    "seed_allocation: cases on cover": Cover.objects.count,
    "seed_case_record: addresses": AddressPeriod.objects.count,
    "seed_case_record: accommodation history": AccommodationPeriod.objects.count,
    "seed_case_record: EET history": ActivityPeriod.objects.count,
    "seed_case_record: key professionals": KeyProfessional.objects.count,
    "seed_case_record: flags": Flag.objects.count,
    "seed_plans: structured plans with actions": lambda: PathwayPlan.objects.filter(actions__isnull=False).distinct().count(),
    "seed_plans: a request on a plan": lambda: Arrangement.objects.filter(plans__isnull=False).distinct().count(),
    "seed_documents: documents": Document.objects.count,
    "seed_documents: corrected contacts": ContactCorrection.objects.count,
    "seed_documents: key events": KeyEvent.objects.count,
    "seed_documents: PA on duty today": lambda: DutyDay.objects.filter(date=today()).count(),
    "seed_notes: restricted notes": lambda: CaseNote.objects.filter(restricted=True).count(),
    "seed_notes: supervision": SupervisionSession.objects.count,
    "seed_notes: dashboard reviews": DashboardReview.objects.count,
    "seed_notes: overdue answers": OverdueAnswer.objects.count,
}


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {name: count() for name, count in FEATURE_RECORDS.items()} | {
        "young people": YoungPerson.objects.count(), "contacts": Contact.objects.count()}


def _every_feature_module_is_seeded():
    assert seed_demo.FEATURE_SEEDS  # wired in, not empty
    empty = [name for name, n in counts().items() if n == 0]
    assert not empty, empty


def _is_idempotent_with_if_empty():
    before = counts()
    output = seed("--if-empty")
    assert "already exist" in output and counts() == before


def _v1_legal_status_matches_age_for_everyone_including_referrals():
    for yp in YoungPerson.objects.all():
        adult = age_on(yp.date_of_birth, today()) >= 18
        allowed = ((LegalStatus.FORMER_RELEVANT, LegalStatus.QUALIFYING) if adult
                   else (LegalStatus.ELIGIBLE, LegalStatus.RELEVANT, LegalStatus.QUALIFYING))
        assert yp.legal_status in allowed, (yp.ref, yp.legal_status)


def _r1_e2_no_flag_contradicts_vulnerable():
    flagged = set(Flag.objects.filter(kind__in=VULNERABILITY_FLAGS, cleared_on__isnull=True)
                  .values_list("young_person_id", flat=True))
    vulnerable = set(YoungPerson.objects.filter(vulnerable=True).values_list("pk", flat=True))
    assert flagged == vulnerable


def _case_record_history_starts_at_allocation_and_ends_where_the_record_stands():
    for yp in YoungPerson.objects.filter(pa__isnull=False):
        periods = list(AccommodationPeriod.objects.filter(young_person=yp).order_by("start"))
        assert periods and periods[0].start >= yp.allocated_on, yp.ref
        assert [p for p in periods if p.end is None] == [periods[-1]], yp.ref
    assert not AccommodationPeriod.objects.filter(young_person__pa__isnull=True).exists()  # referrals: none yet


def _p2_plan_review_dates_agree_with_the_requirement():
    due = dict(Requirement.objects.filter(code=RequirementCode.PATHWAY_REVIEW).values_list("young_person_id", "due"))
    submitted = PathwayPlan.objects.filter(state=PlanState.SUBMITTED)
    assert submitted.exists()
    for plan in submitted:
        assert plan.review_due == due.get(plan.young_person_id), plan.young_person.ref
    assert not PathwayPlan.objects.filter(state=PlanState.DRAFT, review_due__isnull=False).exists()


def _r1_reduced_visits_only_for_adults_who_are_not_vulnerable():
    for arrangement in Arrangement.objects.filter(kind=ArrangementKind.REDUCED_VISITS).filter(
            state__in=(*PENDING_STATES, ArrangementState.ACTIVE)).select_related("young_person"):
        yp = arrangement.young_person
        assert age_on(yp.date_of_birth, today()) >= 18 and not yp.vulnerable, (yp.ref, arrangement.state)
        assert yp.circumstance != Circumstance.CUSTODY, yp.ref


def test_seed_demo_with_every_feature_module():
    """One seed for every check (seed_demo with the features takes a while; the same full seed as
    tests/demo/test_seed_demo.py's and test_seed_demo_services.py's, made once per test process: tests/seeded.py)."""
    output = full_demo()["output"]
    assert "unallocated referrals" in output and "documents" in output and "supervision sessions" in output
    _every_feature_module_is_seeded()
    _v1_legal_status_matches_age_for_everyone_including_referrals()
    _r1_e2_no_flag_contradicts_vulnerable()
    _p2_plan_review_dates_agree_with_the_requirement()
    _r1_reduced_visits_only_for_adults_who_are_not_vulnerable()
    _case_record_history_starts_at_allocation_and_ends_where_the_record_stands()
    _is_idempotent_with_if_empty()
