"""Issue 6: the synthetic caseload generator and the benchmark command.

Timing is never asserted here (it belongs to `bench_compliance`); these tests check that the
generated service is complete and consistent, that the stored requirement rows are exactly what
the engine computes, and that page query counts do not grow with the caseload.
"""

import io
import json

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from approvals.models import Arrangement, ArrangementKind, ArrangementState
from careleavers.models import Allocation, Circumstance, Role, Staff, YoungPerson
from compliance.engine import recompute_young_person, requirements_as_of
from compliance.models import Requirement
from contacts.models import Contact, Method, Outcome, With
from core.dates import service_birthdays
from demo.bench import measure_pages
from oversight.models import Alert, NightlyRun
from pathway.models import PathwayPlan, PlanState


def _generate(n: int, seed: int = 3) -> str:
    out = io.StringIO()
    call_command("generate_caseload", "--young-people", str(n), "--seed", str(seed), stdout=out)
    return out.getvalue()


def _stored() -> list[tuple]:
    return sorted(
        Requirement.objects.values_list("young_person_id", "code", "last_met", "due", "due_soon_from",
                                        "interval_days", "basis")
    )


def _computed() -> list[tuple]:
    return sorted(
        (r.young_person_id, r.code, r.last_met, r.due, r.due_soon_from, r.interval_days, r.basis)
        for r in requirements_as_of(timezone.localdate())
    )


@pytest.mark.django_db
def test_generate_caseload_has_every_circumstance_and_arrangement():
    _generate(60)
    people = YoungPerson.objects.all()
    assert people.count() == 60
    assert set(people.values_list("circumstance", flat=True)) == set(Circumstance.values)
    active = Arrangement.objects.filter(state=ArrangementState.ACTIVE)
    assert set(active.values_list("kind", flat=True)) == set(ArrangementKind.values) - {ArrangementKind.STANDARD}
    assert not active.filter(active_from__isnull=True).exists()
    # At most one active arrangement a young person (the database constraint holds it too).
    assert not active.values("young_person").annotate(n=Count("pk")).filter(n__gt=1).exists()
    # Teams of PAs with about 25 young people each, a Team Leader per team, managers above.
    roles = set(Staff.objects.values_list("role", flat=True))
    assert {Role.PA, Role.TEAM_LEADER, Role.SERVICE_LEADER, Role.HEAD_OF_SERVICE} <= roles
    assert not Staff.objects.filter(user__isnull=True).exists()
    assert max(Staff.objects.filter(role=Role.PA).annotate(n=Count("caseload")).values_list("n", flat=True)) == 25


@pytest.mark.django_db
def test_generated_records_are_consistent_without_history_rows():
    _generate(60)
    for yp in YoungPerson.objects.all():
        derived = service_birthdays(yp.date_of_birth)
        assert {k: getattr(yp, k) for k in derived} == derived, yp.ref
    # Each young person has exactly one open allocation, to their current PA.
    open_allocations = Allocation.objects.filter(end__isnull=True)
    assert open_allocations.count() == 60
    assert not open_allocations.exclude(pa_id=_current_pa()).exists()
    signed = PathwayPlan.objects.filter(state=PlanState.SIGNED_OFF)
    assert signed.exists() and not signed.filter(review_date__isnull=True).exists()
    assert Contact.objects.count() > 60 * 20
    assert Contact.objects.filter(outcome=Outcome.COMPLETED).exists()
    assert Contact.objects.filter(~Q(outcome=Outcome.COMPLETED)).exists()
    # Generated data has no history to keep: bulk inserts write no simple-history rows.
    assert YoungPerson.history.count() == 0
    assert Contact.history.count() == 0
    assert PathwayPlan.history.count() == 0


def _current_pa():
    from django.db.models import OuterRef, Subquery

    return Subquery(YoungPerson.objects.filter(pk=OuterRef("young_person_id")).values("pa_id")[:1])


@pytest.mark.django_db
def test_generated_requirement_rows_equal_a_full_recompute():
    _generate(60)
    stored = _stored()
    assert stored, "the generator ends with a full recompute"
    assert stored == _computed()
    assert {code for _, code, *_ in stored} >= {"visit", "contact", "keeping_in_touch", "lead_worker_contact",
                                                "family_contact", "pathway_review"}


@pytest.mark.django_db
def test_incremental_recompute_after_a_contact_matches_a_full_recompute():
    _generate(60)
    row = Requirement.objects.filter(code="visit").select_related("young_person__pa").order_by("young_person_id").first()
    yp = row.young_person
    Contact.objects.create(young_person=yp, date=timezone.localdate(), method=Method.HOME_VISIT,
                           with_whom=With.YOUNG_PERSON, outcome=Outcome.COMPLETED, recorded_by=yp.pa)
    recompute_young_person(yp)
    assert Requirement.objects.get(pk=row.pk).last_met == timezone.localdate()
    assert _stored() == _computed()


@pytest.mark.django_db
def test_generating_twice_adds_a_second_service_beside_the_first():
    _generate(30, seed=1)
    _generate(30, seed=2)
    assert YoungPerson.objects.count() == 60
    assert YoungPerson.objects.values("ref").distinct().count() == 60
    assert _stored() == _computed()


BENCH_KEYS = {
    "database", "cores", "young_people", "contacts", "requirements", "recompute_s", "recompute_cold_s", "floor_s",
    "ratio", "incremental_ms", "log_contact_ms", "incremental_path", "pages", "skipped", "nightly", "vacuum",
}


@pytest.mark.django_db
def test_bench_compliance_prints_valid_json_with_the_expected_keys():
    out, err = io.StringIO(), io.StringIO()
    call_command("bench_compliance", "--young-people", "40", "--page-runs", "1", "--recompute-runs", "1",
                 "--incremental-samples", "2", stdout=out, stderr=err)
    result = json.loads(out.getvalue())
    assert set(result) >= BENCH_KEYS
    assert result["young_people"] == 40
    assert result["generated"]["young_people"] == 40
    assert result["incremental_ms"] > 0 and result["recompute_s"] > 0 and result["floor_s"] > 0
    for key in ("caseload[pa]", "caseload[team_leader]", "caseload[service_leader]", "young_person[pa]"):
        page = result["pages"][key]
        assert page["status"] == 200, key
        assert page["queries"] > 0, key
    assert isinstance(result["skipped"], list)
    # Issue 16, item 3: the whole nightly run, a first night and an ordinary one, step by step.
    assert result["vacuum"]
    nightly = result["nightly"]
    for night in ("first_night", "ordinary_night"):
        figures = nightly[night]
        assert list(figures["phases_s"]) == ["missed_nights", "recompute", "snapshot", "alerts_raise",
                                             "escalation_reviews", "plans_unshared", "commit", "alerts_send",
                                             "emails_send"], night
        assert figures["seconds"] > 0 and figures["ratio_to_floor"] > 0, night
        assert figures["snapshot_rows"] > 0 and isinstance(figures["rows_written"], dict), night
        assert figures["outside_phases_s"] > -0.01, night  # the steps are within the whole run (less rounding)
    first, ordinary = nightly["first_night"], nightly["ordinary_night"]
    assert first["alerts_raised"] > 0 and first["alerts_sent"] > 0
    assert 0 < first["digest_emails"] <= Staff.objects.count()  # one e-mail a member of staff at most
    assert ordinary["alerts_raised"] < first["alerts_raised"]  # only what is new tonight
    # A first night recomputes everyone, as the first night after deploying does; the next only who can move.
    assert (first["recompute_kind"], ordinary["recompute_kind"]) == ("full", "ordinary")
    assert nightly["targets"] == {"ordinary_night": "<= 2x floor", "first_night": "<= 5x floor"}
    # Measured in transactions rolled back: nothing of the nights is left behind.
    assert not Alert.objects.exists() and not NightlyRun.objects.exists()


@pytest.mark.django_db
def test_page_query_counts_do_not_grow_with_the_caseload(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    _generate(30, seed=1)
    small, _ = measure_pages(runs=1)
    _generate(120, seed=2)
    large, _ = measure_pages(runs=1)
    assert {k: v["queries"] for k, v in small.items()} == {k: v["queries"] for k, v in large.items()}
