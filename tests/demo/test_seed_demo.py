"""`manage.py seed_demo`: a believable demo service, deterministic, and --if-empty for `make run`."""

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction

from approvals.models import Arrangement, ArrangementDecision, ArrangementKind, ArrangementState
from careleavers.models import Circumstance, Notification, PlannedAbsence, Role, Staff, Team, YoungPerson
from compliance.models import PolicyPack, Requirement
from contacts.models import Contact
from demo.management.commands.seed_demo import DEMO_PASSWORD
from pathway.models import PathwayPlan, PlanState
from tests.seeded import full_demo, seeded
from tests.seeded import full_demo_today as today  # the seed's day, whichever side of midnight the test runs

pytestmark = pytest.mark.django_db


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> list[tuple]:
    people = YoungPerson.objects.order_by("ref").values_list(
        "ref", "name", "date_of_birth", "circumstance", "pa__ref", "allocated_on")
    return [*people, (Contact.objects.count(), Requirement.objects.count(), Arrangement.objects.count())]


@pytest.fixture
def small(monkeypatch):
    """A smaller demo where a test checks the command's behaviour, not the service it builds (seed_demo goes
    through every service, so each full seed takes a while)."""
    from demo.management.commands import seed_demo

    monkeypatch.setattr(seed_demo, "YOUNG_PEOPLE", 12)


@pytest.mark.xdist_group("full-demo")  # with the other full seeds' tests, on one worker under `make test`
def test_seed_demo_builds_a_believable_service_and_prints_the_logins():
    """One full seed for the believable service, its X1 in-touch checks and its O1 trend (each seed takes a while;
    the same full seed as tests/demo/test_seed_demo_services.py's and test_issue15_features.py's, made once per test
    process: tests/seeded.py)."""
    output = full_demo()["output"]

    assert Team.objects.count() == 3
    roles = set(Staff.objects.values_list("role", flat=True))
    assert {Role.PA, Role.TEAM_LEADER, Role.SERVICE_LEADER, Role.HEAD_OF_SERVICE} <= roles
    assert 55 <= YoungPerson.objects.count() <= 65
    assert set(YoungPerson.objects.values_list("circumstance", flat=True)) == set(Circumstance.values)
    active = Arrangement.objects.filter(state=ArrangementState.ACTIVE)
    assert set(active.values_list("kind", flat=True)) == {k for k in ArrangementKind.values if k != "standard"}
    for arrangement in active:  # active only through its chain of decisions: R5 for reduced visits, S3 and D2 at approval
        wanted = ["request", "team_leader", "service_leader"] if arrangement.kind == "reduced_visits" else [
            "request", "team_leader"]
        assert list(arrangement.decisions.exclude(step="review").values_list("step", flat=True)) == wanted
    assert Arrangement.objects.filter(state__in=["requested", "tl_approved"]).exists()
    assert ArrangementDecision.objects.filter(step="team_leader").exists()
    assert PathwayPlan.objects.filter(state=PlanState.SIGNED_OFF).exists()
    assert PathwayPlan.objects.filter(state=PlanState.SUBMITTED).exists()
    assert PathwayPlan.objects.filter(state=PlanState.DRAFT).exists()
    assert Contact.objects.earliest("date").date <= today() - dt.timedelta(days=300)  # about a year of contacts
    assert PlannedAbsence.objects.exists() and Notification.objects.exists()
    # The engine ran once at the end: requirements exist, some overdue and some not.
    assert Requirement.objects.filter(due__lt=today()).exists()
    assert Requirement.objects.filter(due__gte=today()).exists()
    assert PolicyPack.objects.get(is_active=True).key == "england"
    # Logins are printed and work with the printed password.
    assert DEMO_PASSWORD in output and "pa-north-1" in output and "tl-north" in output and "head-of-service" in output
    assert authenticate(username="pa-north-1", password=DEMO_PASSWORD) is not None
    x1_demo_in_touch_checks_pass_the_dfe_code_rules()
    o1_demo_has_twelve_weeks_of_trend_computed_as_of_each_night()


@pytest.mark.xdist_group("small-demo")
def test_seed_demo_if_empty_does_nothing_but_still_prints_the_logins_and_refuses_to_add_without_it(small):
    seeded("small-demo", seed)  # the small seed of test_seed_demo_is_deterministic, made once a process
    before = snapshot()
    output = seed("--if-empty")
    assert snapshot() == before
    assert "already exist" in output and DEMO_PASSWORD in output and "pa-north-1" in output
    with pytest.raises(CommandError, match="already exist"):
        seed()
    assert snapshot() == before


@pytest.mark.xdist_group("small-demo")
def test_seed_demo_is_deterministic(small):
    with transaction.atomic():
        seeded("small-demo", seed)  # a real seed, this test's or test_seed_demo_if_empty_...'s (tests/seeded.py)
        first = snapshot()
        transaction.set_rollback(True)
    assert not YoungPerson.objects.exists()
    seed()
    assert snapshot() == first


def test_seed_demo_pack_option(small):
    seed("--pack", "tower_hamlets")
    assert PolicyPack.objects.get(is_active=True).key == "tower_hamlets"
    assert Requirement.objects.filter(code="contact").exists()  # T3 for the settled


def x1_demo_in_touch_checks_pass_the_dfe_code_rules():
    from contacts.models import InTouchCheck
    from core.dates import birthday
    from returns.dfe import check_problems

    checks = list(InTouchCheck.objects.select_related("young_person"))
    assert checks, "the demo should record birthday in-touch checks"
    for check in checks:
        dob = check.young_person.date_of_birth
        age = next(a for a in range(17, 22)  # the birthday whose window (3 months before, 1 after) holds the check
                   if birthday(dob, a) - dt.timedelta(days=90) <= check.date <= birthday(dob, a) + dt.timedelta(days=30))
        assert not check_problems(in_touch=check.in_touch, activity=check.activity,
                                  accommodation=check.accommodation, age=age), (check.young_person.ref, check.accommodation)


def o1_demo_has_twelve_weeks_of_trend_computed_as_of_each_night():
    from oversight.models import Snapshot

    nights = sorted(set(Snapshot.objects.values_list("night", flat=True)))
    weekly = [today() - dt.timedelta(weeks=back) for back in range(12, 0, -1)]
    # issue 15, item 8: then tonight's run, which fills the nights since the last weekly one.
    assert nights == weekly + [weekly[-1] + dt.timedelta(days=n) for n in range(1, 8)]
    # After the backfill the stored rows are those of today, not of the last night computed.
    from compliance.engine import requirements_as_of

    expected = {(r.young_person_id, r.code, r.last_met, r.due) for r in requirements_as_of(today())}
    assert set(Requirement.objects.values_list("young_person_id", "code", "last_met", "due")) == expected
