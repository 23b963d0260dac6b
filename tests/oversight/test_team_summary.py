"""Issue 16: the dashboards' counts by team (compliance.team_summary) stay what the aggregate of the requirement
rows says, whatever is written: a contact, a reallocation to another team, a closed case, a new referral, a PA
moving team, a new day before the night has run. Each test compares the summary with the aggregate the service
dashboard made before it (oversight.selectors._team_counts, kept for readers who do not see the whole service),
and the sums the writes left with a rebuild from scratch. The hand-counted service is in conftest.py."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careleavers.models import ClosureReason
from compliance import services as compliance_services
from compliance import team_summary
from compliance.engine import recompute, recompute_young_person
from compliance.models import TeamSummary, TeamSummaryItem
from contacts import services as contact_services
from contacts.models import Method, Outcome
from oversight.selectors import _team_counts
from tests.conftest import login
from tests.factories import YoungPersonFactory

from .conftest import AS_OF, at_noon


@pytest.fixture
def today(on_as_of):
    return on_as_of


def ordered(rows):
    return sorted(rows, key=lambda r: [(v is None, v) for v in r])


def live(sol, day):
    return ordered(_team_counts(user=sol.user, today=day, team=None))


def sums():
    return ordered((pa, code, o, s) for pa, code, o, s in TeamSummary.objects.values_list("pa", "code", "overdue", "due_soon")
                   if o or s)


def kept():
    return sums(), ordered(TeamSummaryItem.objects.values_list("young_person", "code", "pa", "overdue", "due_soon"))


def assert_right(sol, day, *, nights=(1, 7)):
    """The summary's counts are the aggregate's on `day`, and what the writes left is what a rebuild makes; and so
    after the next nights, whose refresh reaches only the people whose rows changed or whose windows the new day
    opens (issue 16)."""
    assert ordered(team_summary.counts_by_team(today=day)) == live(sol, day)
    left = kept()
    team_summary.refresh(as_of=day, full=True)
    assert kept() == left
    for later in (day + dt.timedelta(days=n) for n in nights):
        recompute(later)  # the night's recompute, incremental
        assert team_summary.summary_day() == later
        assert ordered(team_summary.counts_by_team(today=later)) == live(sol, later)
        left = kept()
        team_summary.refresh(as_of=later, full=True)
        assert kept() == left


def by_team(day):
    out: dict = {}
    for team, _code, overdue, due_soon in team_summary.counts_by_team(today=day):
        o, s = out.get(team, (0, 0))
        out[team] = (o + overdue, s + due_soon)
    return out


def test_the_night_builds_the_counts_of_every_team(service, sol, north, south, today):
    assert team_summary.summary_day() == AS_OF
    assert by_team(today) == {north.pk: (3, 2), south.pk: (1, 1)}  # conftest's hand count
    assert_right(sol, today)


def test_v1_a_visit_recorded_takes_the_overdue_visit_out_of_its_teams_count(service, alice, sol, north, today):
    contact_services.contact_log(young_person=service.a3, actor=alice, date=today, method=Method.OFFICE_VISIT,
                                 outcome=Outcome.COMPLETED, today=today)
    assert by_team(today)[north.pk] == (2, 2)
    assert_right(sol, today)


def test_a_young_person_reallocated_to_another_team_takes_their_counts_along(service, charlie, sol, north, south,
                                                                            today):
    # A3: visit and review overdue, from North to South.
    compliance_services.allocation_make(young_person=service.a3, pa=charlie, actor=sol, today=today)
    assert by_team(today) == {north.pk: (1, 2), south.pk: (3, 1)}
    assert_right(sol, today)


def test_a_reallocation_within_the_team_moves_the_counts_between_pas(service, bella, sol, north, today):
    compliance_services.allocation_make(young_person=service.a3, pa=bella, actor=sol, today=today)
    assert by_team(today)[north.pk] == (3, 2)
    assert {(pa, code): o for pa, code, o, _ in sums()}[(bella.pk, "visit")] == 2
    assert_right(sol, today)


def test_a_closed_case_leaves_the_counts(service, tess, sol, north, today):
    compliance_services.case_close(young_person=service.a3, actor=tess, closed_on=today,
                                   reason=ClosureReason.MOVED_AWAY, today=today)
    assert by_team(today)[north.pk] == (1, 2)
    assert_right(sol, today)


def test_a_referral_waiting_for_a_pa_counts_under_no_team(service, tess, sol, north, today):
    compliance_services.young_person_register(
        actor=tess, name="Rae Waiting", date_of_birth=dt.date(2008, 1, 1), legal_status="relevant",
        legal_status_from=dt.date(2024, 1, 1), referring_team=north, today=today)
    assert by_team(today)[None] == (0, 1)  # PA allocated: due soon from registration
    assert_right(sol, today)


def test_a_pa_moving_team_takes_their_counts_along_without_a_write(service, bella, sol, north, south, today):
    bella.team = south
    bella.save()
    assert by_team(today) == {north.pk: (2, 2), south.pk: (2, 1)}  # B1's overdue visit moves with Bella
    assert_right(sol, today)


def test_v4_on_a_new_day_before_the_night_the_counts_are_those_of_today(service, sol, north, south):
    later = AS_OF + dt.timedelta(days=7)  # A2's visit (due 7 Mar) and C1's review (due 2 Mar) are overdue now
    with at_noon(later):
        assert by_team(later) == {north.pk: (4, 1), south.pk: (2, 0)}
        assert team_summary.summary_day() == later
        assert_right(sol, later)


def test_the_night_refreshes_only_the_young_people_it_reaches(service, alice, sol, today):
    """Issue 16: the night's refresh takes out and puts back the items of the people whose rows it changed and of
    those whose windows the new day opens or moves, not everyone's (no rebuild of all items)."""
    contact_services.contact_log(young_person=service.a3, actor=alice, date=today, method=Method.OFFICE_VISIT,
                                 outcome=Outcome.COMPLETED, today=today)
    with CaptureQueriesContext(connection) as queries:
        recompute(today + dt.timedelta(days=3))
    statements = " ".join(q["sql"] for q in queries.captured_queries)
    assert team_summary.SCOPE_TABLE in statements and "team_summary_fresh" not in statements
    assert_right(sol, today + dt.timedelta(days=3), nights=(1,))


def test_a_write_before_the_first_rebuild_leaves_it_to_the_first_reader(db, alice, sol, north, today):
    yp = YoungPersonFactory(pa=alice)
    recompute_young_person(yp, as_of=today)
    assert team_summary.summary_day() is None and not TeamSummary.objects.exists()
    assert ordered(team_summary.counts_by_team(today=today)) == live(sol, today)
    assert team_summary.summary_day() == today


def test_the_service_dashboard_and_its_csv_read_the_summary(client, service, charlie, sol, today):
    compliance_services.allocation_make(young_person=service.a3, pa=charlie, actor=sol, today=today)
    login(client, sol)
    rows = {r.name: (r.overdue, r.due_soon, r.overdue_by_code)
            for r in client.get(reverse("oversight:service")).context["rows"]}
    assert rows == {"North Team": (1, 2, {"visit": 1, "pathway_review": 0}),
                    "South Team": (3, 1, {"visit": 2, "pathway_review": 1})}
    csv = client.get(reverse("oversight:export", args=["service-teams", "csv"])).content.decode("utf-8-sig")
    assert "South Team,3,1" in csv


@pytest.mark.django_db(transaction=True)
def test_two_writes_at_once_for_one_pas_young_people_both_count(service, alice, sol, north, today):
    """Two visits recorded at the same moment for two of Alice's young people (one overdue visit, one due soon):
    each transaction adds its own change to Alice's counts, so neither is lost (PostgreSQL, READ COMMITTED)."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite's shared-cache test database locks whole tables)")
    barrier = threading.Barrier(2)
    errors = []

    def record(young_person):
        try:
            barrier.wait(timeout=10)
            contact_services.contact_log(young_person=young_person, actor=alice, date=today, method=Method.OFFICE_VISIT,
                                         outcome=Outcome.COMPLETED, today=today)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=record, args=(yp,)) for yp in (service.a2, service.a3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert by_team(today)[north.pk] == (2, 1)  # A3's overdue visit and A2's due-soon visit are met
    assert_right(sol, today)
