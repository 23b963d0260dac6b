"""The weekly and monthly oversight dashboards (O1): figures against the hand-counted service of
conftest.py, who sees what, drill-down, exports and fixed query counts."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from approvals.models import ArrangementState
from compliance.engine import recompute
from oversight import selectors
from oversight.models import NightlyRun, OverdueUpdate, RunState, Snapshot
from oversight.selectors import CODES
from oversight.services import snapshot_totals_take
from pathway.models import PathwayPlan, PlanState
from tests.conftest import login
from tests.factories import ArrangementFactory, YoungPersonFactory

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(on_as_of):
    return on_as_of


@pytest.fixture
def waiting(service, alice):
    """A plan submitted in North, a step back requested in North, reduced visits awaiting the SL in South."""
    PathwayPlan.objects.create(young_person=service.a1, version=2, state=PlanState.SUBMITTED,
                               review_due=dt.date(2026, 7, 11))
    ArrangementFactory(young_person=service.a2, kind="step_back", state=ArrangementState.REQUESTED, active_from=None)
    ArrangementFactory(young_person=service.c1, kind="reduced_visits", state=ArrangementState.TEAM_LEADER_APPROVED,
                       active_from=None)


def get(client, staff, name, **params):
    login(client, staff)
    return client.get(reverse(name), params)


# --- routing and who sees what ----------------------------------------------------------------

@pytest.mark.parametrize("persona, target", [("tess", "oversight:team"), ("sol", "oversight:service"),
                                             ("hana", "oversight:head")])
def test_o1_dashboard_routes_each_manager_to_their_own(client, request, persona, target):
    response = get(client, request.getfixturevalue(persona), "oversight:dashboard")
    assert response.status_code == 302 and response.url == reverse(target)


@pytest.mark.parametrize("name", ["oversight:dashboard", "oversight:team", "oversight:service", "oversight:head"])
def test_o1_pa_gets_404_on_every_dashboard(client, alice, name):
    assert get(client, alice, name).status_code == 404


def test_o1_pa_gets_404_on_exports(client, alice, north):
    login(client, alice)
    assert client.get(reverse("oversight:export", args=["team-items", "csv"]), {"team": north.pk}).status_code == 404


@pytest.mark.parametrize("name", ["oversight:service", "oversight:head"])
def test_o1_team_leader_gets_404_on_service_wide_dashboards(client, tess, name):
    assert get(client, tess, name).status_code == 404


def test_o1_team_leader_sees_only_their_team(client, service, tess, south, charlie, today):
    response = get(client, tess, "oversight:team")
    names = {r.young_person.name for r in response.context["items"]}
    assert names == {"Ann Two", "Abe Three", "Ben One"}
    assert get(client, tess, "oversight:team", team=south.pk).status_code == 404
    assert get(client, tess, "oversight:team", pa=charlie.pk).status_code == 404
    login(client, tess)
    url = reverse("oversight:export", args=["team-items", "csv"])
    assert client.get(url, {"team": south.pk}).status_code == 404


def test_o1_dashboard_link_in_navigation_for_managers_only(client, tess, alice):
    login(client, tess)
    assert reverse("oversight:dashboard") in client.get(reverse("caseload")).content.decode()
    login(client, alice)
    assert reverse("oversight:dashboard") not in client.get(reverse("caseload")).content.decode()


# --- Team Leader, weekly ----------------------------------------------------------------------

def test_o1_team_dashboard_figures_by_pa(client, service, waiting, tess, today):
    response = get(client, tess, "oversight:team")
    summary = {s["young_person__pa__name"]: (s["people"], s["overdue"], s["due_soon"]) for s in response.context["summary"]}
    assert summary == {"Alice Adams": (3, 2, 2), "Bella Brown": (1, 1, 0)}
    items = [(r.young_person.name, r.code, r.status, r.days_overdue) for r in response.context["items"]]
    assert items == [
        ("Abe Three", "visit", "overdue", 217), ("Abe Three", "pathway_review", "overdue", 91),
        ("Ann Two", "visit", "due_soon", 0), ("Ann Two", "pathway_review", "due_soon", 0),
        ("Ben One", "visit", "overdue", 34),
    ]
    assert [p.young_person.name for p in response.context["plans"]] == ["Amy One"]
    assert [(a.young_person.name, a.kind) for a in response.context["arrangements"]] == [("Ann Two", "step_back")]
    html = response.content.decode()
    assert "Alice Adams" in html and "No update from the PA" in html


def test_o1_team_dashboard_shows_the_pas_latest_update(client, service, tess, alice, today):
    for version, reason in ((1, "Cancelled twice"), (2, "Moved to a hostel")):
        OverdueUpdate.objects.create(young_person=service.a3, requirement="visit", due=dt.date(2025, 7, 27),
                                     version=version, reason=reason, plan="Visit on 3 March", author=alice,
                                     recorded_on=AS_OF)
    response = get(client, tess, "oversight:team")
    item = next(r for r in response.context["items"] if r.young_person == service.a3 and r.code == "visit")
    assert (item.update_reason, item.update_plan, item.update_by, item.update_on) == (
        "Moved to a hostel", "Visit on 3 March", "Alice Adams", AS_OF)
    assert "Moved to a hostel" in response.content.decode()
    # One without an update reads as none (oversight.selectors.with_latest_update: the subquery's NULL).
    other = next(r for r in response.context["items"] if r.young_person.name == "Ben One")
    assert (other.update_reason, other.update_plan, other.update_by, other.update_on) == (None, None, None, None)


def test_o1_team_dashboard_filters_by_pa_and_due_dates(client, service, tess, bella, today):
    response = get(client, tess, "oversight:team", pa=bella.pk)
    assert [r.young_person.name for r in response.context["items"]] == ["Ben One"]
    response = get(client, tess, "oversight:team", date_from="2026-01-01", date_to="2026-03-10")
    assert [(r.young_person.name, r.code) for r in response.context["items"]] == [("Ann Two", "visit"), ("Ben One", "visit")]


@pytest.mark.parametrize("params", [{}, {"pa": "bella"}, {"pa": "alice"}, {"date_from": "2026-01-01", "date_to": "2026-03-10"},
                                    {"date_from": "2026-03-05"}, {"date_to": "2026-03-10", "pa": "alice"}])
def test_o1_the_team_pages_count_is_the_number_of_items(client, service, tess, alice, bella, today, params):
    """Issue 16: the page's count comes from the by-PA figures, not a COUNT query: the same number."""
    params = {k: {"alice": alice.pk, "bella": bella.pk}.get(v, v) for k, v in params.items()}
    response = get(client, tess, "oversight:team", **params)
    scope = response.context["scope"]
    expected = selectors.team_items(user=tess.user, team=scope.team, today=today, filters=scope.filters).count()
    assert response.context["page"].paginator.count == expected == len(response.context["items"])


def test_o1_bad_date_range_is_explained_next_to_the_field(client, service, tess, today):
    response = get(client, tess, "oversight:team", date_from="2026-03-10", date_to="2026-03-01")
    assert response.status_code == 200
    assert "The end of the range must be on or after its start." in response.content.decode()


def test_o1_service_leader_drills_down_to_a_team_and_a_pa(client, service, sol, south, charlie, today):
    response = get(client, sol, "oversight:team", team=south.pk, pa=charlie.pk)
    assert [r.young_person.name for r in response.context["items"]] == ["Cat One", "Cat One"]
    assert reverse("young_person", args=[service.c1.pk]) in response.content.decode()


# --- Service Leader, weekly -------------------------------------------------------------------

def snapshot(night, rows):
    """A done night with these snapshot rows and, as the nightly run writes them with its snapshot, their overdue
    sums by team and by requirement (the trends read those: issue 16)."""
    run = NightlyRun.objects.create(night=night, state=RunState.DONE, started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    Snapshot.objects.bulk_create(
        Snapshot(run=run, night=night, team=team, pa=pa, requirement=code, status=status, count=n)
        for team, pa, code, status, n in rows
    )
    snapshot_totals_take(run=run)


@pytest.fixture
def weekly_snapshots(north, south, alice, bella, charlie):
    snapshot(dt.date(2026, 2, 15), [(north, alice, "visit", "overdue", 5), (south, charlie, "visit", "overdue", 2)])
    snapshot(dt.date(2026, 2, 20), [(north, alice, "visit", "overdue", 9)])  # not the last of its week
    snapshot(dt.date(2026, 2, 22), [(north, alice, "visit", "overdue", 3), (north, bella, "visit", "overdue", 1),
                                    (north, alice, "visit", "due_soon", 8), (south, charlie, "visit", "overdue", 1)])
    snapshot(AS_OF, [(north, alice, "visit", "overdue", 2), (north, bella, "pathway_review", "overdue", 1),
                     (south, charlie, "visit", "overdue", 1)])


def test_o1_service_dashboard_teams_side_by_side(client, service, waiting, sol, today):
    response = get(client, sol, "oversight:service")
    rows = {r.name: (r.overdue, r.due_soon, r.overdue_by_code) for r in response.context["rows"]}
    assert rows == {
        "North Team": (3, 2, {"visit": 2, "pathway_review": 1}),
        "South Team": (1, 1, {"visit": 1, "pathway_review": 0}),
    }
    # oversight.tables.WAITING_FIELDS: (young person id, name, PA, requested at, requested by)
    assert [name for _, name, *_ in response.context["waiting"]] == ["Cat One"]
    html = response.content.decode()
    assert "<svg" in html and "Overdue and due soon now, by team" in html


def test_o1_service_dashboard_trend_of_12_weeks_from_snapshots(client, service, weekly_snapshots, sol, today):
    trend = get(client, sol, "oversight:service").context["trend"]
    assert len(trend.x_labels) == 12 and trend.x_labels[-1] == AS_OF and trend.x_labels[0] == dt.date(2025, 12, 14)
    series = {s.name: s.values for s in trend.series}
    none = [None] * 9
    assert series == {"North Team": [*none, 5, 4, 3], "South Team": [*none, 2, 1, 1], "All teams": [*none, 7, 5, 4]}
    assert trend.x_notes[-3:] == [dt.date(2026, 2, 15), dt.date(2026, 2, 22), AS_OF]


def test_o1_service_dashboard_filtered_to_one_team(client, service, weekly_snapshots, sol, south, today):
    response = get(client, sol, "oversight:service", team=south.pk)
    assert [r.name for r in response.context["rows"]] == ["South Team"]
    assert {s.name: s.values[-3:] for s in response.context["trend"].series} == {"South Team": [2, 1, 1]}


def test_o1_trend_chart_has_the_same_figures_as_a_table(client, service, weekly_snapshots, sol, today):
    html = get(client, sol, "oversight:service").content.decode()
    assert 'role="img"' in html and "Table of the figures in this chart" in html
    assert "Overdue items, week by week</caption>" in html
    assert '<th scope="row">22 Feb 2026</th><td>22 Feb 2026</td><td>4</td><td>1</td><td>5</td>' in html


# --- Head of Service, monthly -----------------------------------------------------------------

@pytest.fixture
def monthly_snapshots(north, south, alice, charlie):
    snapshot(dt.date(2026, 1, 15), [(north, alice, "visit", "overdue", 40)])
    snapshot(dt.date(2026, 1, 31), [(north, alice, "visit", "overdue", 2), (north, alice, "pathway_review", "overdue", 1),
                                    (south, charlie, "visit", "overdue", 4)])
    snapshot(dt.date(2026, 2, 28), [(north, alice, "visit", "overdue", 1)])
    snapshot(AS_OF, [(north, alice, "visit", "overdue", 2), (north, alice, "pathway_review", "overdue", 1),
                     (south, charlie, "visit", "overdue", 1)])


def test_o1_head_dashboard_month_on_month_by_team_and_requirement(client, service, monthly_snapshots, hana, today):
    response = get(client, hana, "oversight:head")
    by_team, by_code = response.context["by_team"], response.context["by_code"]
    assert len(by_team.x_labels) == 12 and by_team.x_labels[0] == dt.date(2025, 4, 1)
    assert {s.name: s.values[-3:] for s in by_team.series} == {"North Team": [3, 1, 3], "South Team": [4, 0, 1]}
    codes = {s.name: s.values[-3:] for s in by_code.series}
    assert codes["Visit"] == [6, 1, 3] and codes["Pathway plan review"] == [1, 0, 1]
    assert by_team.series[0].values[:9] == [None] * 9


def test_o1_head_dashboard_longest_overdue_first(client, service, hana, today):
    response = get(client, hana, "oversight:head")
    longest = [(r.young_person.name, r.code, r.days_overdue) for r in response.context["longest"]]
    assert longest == [("Abe Three", "visit", 217), ("Abe Three", "pathway_review", 91), ("Cat One", "visit", 64),
                       ("Ben One", "visit", 34)]


# --- exports ----------------------------------------------------------------------------------

def test_o1_team_items_export_as_csv(client, service, tess, today):
    login(client, tess)
    response = client.get(reverse("oversight:export", args=["team-items", "csv"]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Team", "Personal Adviser", "Young person ref", "Young person"]
    assert [(r[3], r[4], r[7]) for r in rows[1:]] == [
        ("Abe Three", "Visit", "Overdue"), ("Abe Three", "Pathway plan review", "Overdue"),
        ("Ann Two", "Visit", "Due soon"), ("Ann Two", "Pathway plan review", "Due soon"), ("Ben One", "Visit", "Overdue"),
    ]
    assert rows[1][6] == "27/07/2025" and rows[1][8] == "217"


def test_o1_export_quotes_text_a_spreadsheet_would_run(client, alice, tess, today):
    YoungPersonFactory(pa=alice, name='=HYPERLINK("http://evil")')
    recompute(AS_OF)
    login(client, tess)
    content = client.get(reverse("oversight:export", args=["team-items", "csv"])).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in content


@pytest.mark.parametrize("name", ["team-items", "team-pas", "team-plans", "team-arrangements", "service-teams",
                                  "service-trend", "service-reduced-visits", "head-by-team", "head-by-requirement",
                                  "head-longest"])
def test_o1_every_list_exports_to_excel(client, service, waiting, weekly_snapshots, sol, name, today):
    login(client, sol)
    response = client.get(reverse("oversight:export", args=[name, "xlsx"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row >= 2 and sheet.cell(1, 1).value


def test_o1_unknown_export_is_404(client, sol):
    login(client, sol)
    assert client.get(reverse("oversight:export", args=["everything", "csv"])).status_code == 404
    assert client.get(reverse("oversight:export", args=["team-items", "pdf"])).status_code == 404


# --- a fixed number of queries whatever the number of young people ----------------------------

def grow(alice, charlie, people):
    for i in range(people):
        YoungPersonFactory(pa=alice if i % 2 else charlie)
    recompute(AS_OF)


def count_queries(client, staff, name, **params):
    login(client, staff)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse(name), params).status_code == 200
    return len(ctx.captured_queries)


#: Every request: savepoint + release (ATOMIC_REQUESTS), session, user with their staff record (navigation and role;
#: one query since issue 16).
REQUEST = 4
EXPECTED = {
    # teams / team's PAs / by-PA aggregate (which also gives the items' count, issue 16) / items page / plans /
    # arrangements / last review (issue 12) / last run (issue 15)
    "oversight:team": REQUEST + 8,
    # teams / aggregate by team and requirement / nights with a run / snapshot sums / reduced visits waiting / last run
    # / last review (issue 12)
    "oversight:service": REQUEST + 7,
    # teams / nights with a run / snapshot sums / longest overdue / last run / last review (issue 12)
    "oversight:head": REQUEST + 6,
}


@pytest.mark.parametrize("name, persona", [("oversight:team", "tess"), ("oversight:service", "sol"),
                                           ("oversight:head", "hana")])
@pytest.mark.parametrize("people", [5, 50])
def test_o1_dashboards_run_a_fixed_number_of_queries(client, request, alice, charlie, tess, weekly_snapshots,
                                                     name, persona, people, today, django_assert_num_queries):
    grow(alice, charlie, people)
    login(client, request.getfixturevalue(persona))
    with django_assert_num_queries(EXPECTED[name]):
        assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("people", [5, 50])
def test_the_service_teams_csv_runs_a_fixed_number_of_queries(client, alice, charlie, sol, people, today,
                                                             django_assert_num_queries):
    """Issue 16: the teams side by side as a CSV, at two sizes of service."""
    grow(alice, charlie, people)
    login(client, sol)
    # teams / aggregate by team and requirement (the download names no young person, so it logs no view: issue 14)
    with django_assert_num_queries(REQUEST + 2):
        response = client.get(reverse("oversight:export", args=["service-teams", "csv"]))
    assert response.status_code == 200 and "North Team" in response.content.decode("utf-8-sig")


# --- a service of many teams: paginated table, charts of the teams with most overdue ----------

@pytest.fixture
def small_pages(monkeypatch):
    """The hand-counted service has two teams: pages of one team and charts of one team behave as
    pages of 25 and charts of 10 do for a service of 500 teams."""
    from oversight import views

    monkeypatch.setattr(views, "TEAMS_PAGE_SIZE", 1)
    monkeypatch.setattr(views, "CHART_TEAMS", 1)
    monkeypatch.setattr(views, "TREND_TEAMS", 1)


def test_o1_service_dashboard_pages_the_teams_and_totals_every_team(client, service, small_pages, sol, today):
    first = get(client, sol, "oversight:service")
    assert [r.name for r in first.context["rows"]] == ["North Team"]
    assert first.context["totals"] == {
        "teams": 2, "named_teams": 2, "overdue": 4, "due_soon": 3,
        "overdue_cells": [3 if code == "visit" else 1 if code == "pathway_review" else 0 for code, _ in CODES]}
    html = first.content.decode()
    assert "Teams 1 to 1 of 2" in html and "All 2 teams" in html and "Page 1 of 2" in html
    second = get(client, sol, "oversight:service", page=2)
    assert [(r.name, r.overdue, r.due_soon) for r in second.context["rows"]] == [("South Team", 1, 1)]


def test_o1_service_dashboard_sorts_the_teams_by_most_overdue(client, service, small_pages, sol, charlie, today):
    for _ in range(3):
        YoungPersonFactory(pa=charlie)  # nothing since allocation: visit and review overdue
    recompute(AS_OF)
    response = get(client, sol, "oversight:service")
    assert [r.name for r in response.context["rows"]] == ["North Team"]
    response = get(client, sol, "oversight:service", sort="overdue")
    assert [(r.name, r.overdue) for r in response.context["rows"]] == [("South Team", 7)]
    assert '<strong aria-current="true">most overdue first</strong>' in response.content.decode()


def test_o1_service_dashboard_charts_only_the_teams_with_most_overdue(client, service, small_pages, weekly_snapshots,
                                                                      sol, today):
    response = get(client, sol, "oversight:service")
    now = response.context["now_chart"]
    assert now.x_labels == ["North Team"] and now.title == "Overdue and due soon now: the 1 teams with most overdue"
    assert [s.values for s in now.series] == [[3], [2]]
    trend, total = response.context["trend"], response.context["trend_total"]
    none = [None] * 9
    # North had most overdue in the latest week; the total, on its own chart, still counts South.
    assert {s.name: s.values for s in trend.series} == {"North Team": [*none, 5, 4, 3]}
    assert trend.title == "Overdue items, week by week: the 1 teams with most overdue"
    assert {s.name: s.values for s in total.series} == {"All teams": [*none, 7, 5, 4]}
    html = response.content.decode()
    assert "Overdue items, week by week: all 2 teams together</caption>" in html


def test_o1_head_dashboard_charts_the_teams_with_most_overdue_and_the_total_apart(client, service, small_pages,
                                                                            monthly_snapshots, hana, today):
    context = get(client, hana, "oversight:head").context
    assert {s.name: s.values[-3:] for s in context["by_team"].series} == {"North Team": [3, 1, 3]}
    total = context["by_team_total"]
    assert {s.name: s.values for s in total.series} == {"All teams": [None] * 9 + [7, 1, 4]}


def test_o1_downloads_keep_every_team_when_the_page_shows_some(client, service, small_pages, weekly_snapshots, sol, today):
    login(client, sol)
    teams = client.get(reverse("oversight:export", args=["service-teams", "csv"])).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(teams)))
    assert [r[:3] for r in rows[1:]] == [["North Team", "3", "2"], ["South Team", "1", "1"]]
    trend = client.get(reverse("oversight:export", args=["service-trend", "csv"])).content.decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(trend)))[2:] == ["North Team", "South Team", "All teams"]


def test_o1_service_dashboard_page_of_teams_costs_no_extra_query(client, alice, charlie, small_pages, weekly_snapshots,
                                                                 sol, today, django_assert_num_queries):
    grow(alice, charlie, 5)
    login(client, sol)
    with django_assert_num_queries(EXPECTED["oversight:service"]):
        assert client.get(reverse("oversight:service"), {"page": 2, "sort": "overdue"}).status_code == 200


def test_o1_the_teams_total_does_not_count_the_unallocated_row_as_a_team():
    """Issue 15: "All 3 teams and the unallocated", not "All 4 teams" when one row is the young people waiting for a PA."""
    from oversight.tables import _all_teams

    assert _all_teams({"teams": 4, "named_teams": 3}) == "All 3 teams and the unallocated"
    assert _all_teams({"teams": 2, "named_teams": 2}) == "All 2 teams"
