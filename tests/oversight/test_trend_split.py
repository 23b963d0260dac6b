"""Issue 16: the service and Head of Service dashboards' trends by team are split into the teams with most overdue
and the total (oversight.selectors.split_top_teams), making the series of only the teams shown, from the sums. Each
split must give exactly the charts the chart-level split (`split_chart`, below: the split as it was, from every
team's series) gives from the whole trend (O1): the same teams in the same order (ties in their order, the last night
with a run deciding), the same points, titles and total, for a service of many teams, some with no figures, one
night's figures for no team, and periods whose last period or every period had no run."""

import datetime as dt
from dataclasses import replace

import pytest

from oversight import selectors
from oversight.charts import Chart, Series
from tests.factories import TeamFactory

from .conftest import AS_OF
from .test_dashboards import snapshot

pytestmark = pytest.mark.django_db


def split_chart(chart: Chart, *, top: int) -> tuple[Chart, Chart | None]:
    """The reference: the split of a whole chart, as oversight.selectors.split_top_teams was before it split the sums.
    A series named as the total ("All teams") is not one of the teams, and the first such series is the total."""
    teams = [s for s in chart.series if s.name != selectors.ALL_TEAMS]
    if len(teams) <= top:
        return chart, None
    columns = list(zip(*(s.values for s in teams), strict=True))[:len(chart.x_labels)]
    present = [i for i, column in enumerate(columns) if column.count(None) != len(column)]
    latest = present[-1] if present else None
    keys = [-(v or 0) for v in columns[latest]] if latest is not None else [0] * len(teams)
    ranked = {id(teams[i]) for i in sorted(range(len(teams)), key=keys.__getitem__)[:top]}  # stable
    total = next((s for s in chart.series if s.name == selectors.ALL_TEAMS), None) or Series(selectors.ALL_TEAMS, [
        None if column.count(None) == len(column) else sum(filter(None, column)) for column in columns
    ])
    return (
        replace(chart, title=f"{chart.title}: the {top} teams with most overdue", series=[s for s in teams if id(s) in ranked]),
        replace(chart, title=f"{chart.title}: all {len(teams)} teams together", series=[total]),
    )


@pytest.fixture
def many_teams(service, north, south, alice, charlie):
    east, west, quiet = (TeamFactory(ref=ref, name=name) for ref, name in
                         (("east", "East Team"), ("west", "West Team"), ("quiet", "A Quiet Team")))
    snapshot(dt.date(2025, 12, 20), [(north, alice, "visit", "overdue", 3), (east, None, "visit", "overdue", 7)])
    snapshot(dt.date(2026, 1, 31), [(south, charlie, "visit", "overdue", 4), (west, None, "visit", "overdue", 4),
                                    (None, None, "visit", "overdue", 2), (east, None, "visit", "due_soon", 9)])
    snapshot(dt.date(2026, 2, 22), [(north, alice, "visit", "overdue", 1), (west, None, "pathway_review", "overdue", 5),
                                    (None, None, "visit", "overdue", 5)])
    snapshot(AS_OF, [(north, alice, "visit", "overdue", 2), (south, charlie, "pathway_review", "overdue", 2),
                     (east, None, "visit", "overdue", 1), (None, None, "visit", "overdue", 2)])
    return [north, south, east, west, quiet]


RANGES = [
    (None, None),  # the dashboards' default periods, ending today
    (dt.date(2025, 11, 1), dt.date(2026, 2, 10)),  # the last period has no run
    (dt.date(2024, 1, 1), dt.date(2024, 6, 30)),  # no run at all
]


def _default(range_, months: bool):
    date_from, date_to = range_
    if date_from is not None:
        return date_from, date_to
    if months:
        return dt.date(2025, 4, 1), AS_OF
    return AS_OF - dt.timedelta(days=7 * 12 - 1), AS_OF


@pytest.mark.parametrize("range_", RANGES)
@pytest.mark.parametrize("top", [1, 2, 3, 5, 6, 8])
def test_the_weekly_trend_split_is_the_whole_trend_split(many_teams, sol, range_, top):
    teams = selectors.dashboard_teams(sol.user)
    date_from, date_to = _default(range_, months=False)
    whole = split_chart(
        selectors.weekly_trend(teams=teams, date_from=date_from, date_to=date_to), top=top)
    split = selectors.weekly_trend_split(teams=teams, date_from=date_from, date_to=date_to, top=top)
    assert split == whole
    assert len(teams) == 5


@pytest.mark.parametrize("range_", RANGES)
@pytest.mark.parametrize("top", [1, 2, 3, 5, 6, 8])
def test_the_monthly_charts_split_are_the_whole_charts_split(many_teams, hana, range_, top):
    teams = selectors.dashboard_teams(hana.user)
    date_from, date_to = _default(range_, months=True)
    by_team, by_code = selectors.monthly_charts(teams=teams, date_from=date_from, date_to=date_to)
    whole = (*split_chart(by_team, top=top), by_code)
    assert selectors.monthly_charts_split(teams=teams, date_from=date_from, date_to=date_to, top=top) == whole


def test_the_split_ranks_by_the_last_night_with_a_run(many_teams, sol):
    """O1, by hand: the teams with most overdue on the last night (ties in name order, the unallocated last), shown
    in that order, and the total of every team."""
    teams = selectors.dashboard_teams(sol.user)
    shown, total = selectors.weekly_trend_split(teams=teams, date_from=AS_OF - dt.timedelta(days=83), date_to=AS_OF,
                                                top=3)
    # AS_OF: North 2, South 2, the unallocated 2, East 1, West 0, A Quiet Team 0.
    assert [s.name for s in shown.series] == ["North Team", "South Team", selectors.NO_TEAM]
    assert shown.title == "Overdue items, week by week: the 3 teams with most overdue"
    assert total.title == "Overdue items, week by week: all 6 teams together"
    assert total.series[0].values[-1] == 7 and total.series[0].name == selectors.ALL_TEAMS


def test_a_team_named_as_the_total_is_split_as_before(many_teams, sol):
    """split_top_teams leaves a series named "All teams" out of the teams: the split then takes the whole trend."""
    TeamFactory(ref="all", name=selectors.ALL_TEAMS)
    teams = selectors.dashboard_teams(sol.user)
    date_from, date_to = _default((None, None), months=False)
    whole = split_chart(selectors.weekly_trend(teams=teams, date_from=date_from, date_to=date_to), top=2)
    assert selectors.weekly_trend_split(teams=teams, date_from=date_from, date_to=date_to, top=2) == whole


def test_one_team_s_trend_is_not_split(many_teams, sol, south):
    teams = selectors.dashboard_teams(sol.user)
    date_from, date_to = _default((None, None), months=False)
    chart = selectors.weekly_trend(teams=teams, date_from=date_from, date_to=date_to, team=south)
    assert selectors.weekly_trend_split(teams=teams, date_from=date_from, date_to=date_to, team=south,
                                        top=1) == (chart, None)


def test_a_team_named_as_the_total_is_split_as_before_month_on_month(many_teams, hana):
    TeamFactory(ref="all", name=selectors.ALL_TEAMS)
    teams = selectors.dashboard_teams(hana.user)
    date_from, date_to = _default((None, None), months=True)
    by_team, by_code = selectors.monthly_charts(teams=teams, date_from=date_from, date_to=date_to)
    assert selectors.monthly_charts_split(teams=teams, date_from=date_from, date_to=date_to, top=2) == (
        *split_chart(by_team, top=2), by_code)


def test_a_team_named_as_the_total_with_figures_is_the_total(many_teams, sol):
    """The quirk kept (split_chart): the team named "All teams" is left out of the ranked teams and its own series,
    figures and all, is the total's chart."""
    everyone = TeamFactory(ref="all", name=selectors.ALL_TEAMS)
    snapshot(AS_OF + dt.timedelta(days=1), [(everyone, None, "visit", "overdue", 40)])
    teams = selectors.dashboard_teams(sol.user)
    date_from, date_to = AS_OF - dt.timedelta(days=7 * 12 - 1) + dt.timedelta(days=1), AS_OF + dt.timedelta(days=1)
    whole = split_chart(selectors.weekly_trend(teams=teams, date_from=date_from, date_to=date_to), top=2)
    shown, total = selectors.weekly_trend_split(teams=teams, date_from=date_from, date_to=date_to, top=2)
    assert (shown, total) == whole
    assert total.series[0].name == selectors.ALL_TEAMS and total.series[0].values[-1] == 40
    assert selectors.ALL_TEAMS not in [s.name for s in shown.series]
    assert total.title.endswith("all 6 teams together")


@pytest.mark.parametrize("range_", RANGES)
def test_one_team_s_monthly_charts_are_not_split(many_teams, hana, south, range_):
    teams = selectors.dashboard_teams(hana.user)
    date_from, date_to = _default(range_, months=True)
    by_team, by_code = selectors.monthly_charts(teams=teams, date_from=date_from, date_to=date_to, team=south)
    assert selectors.monthly_charts_split(teams=teams, date_from=date_from, date_to=date_to, team=south,
                                          top=1) == (by_team, None, by_code)
