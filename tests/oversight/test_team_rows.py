"""Issue 16: the service dashboard's teams side by side are the team summary's (team, requirement) rows added up per
team (oversight.selectors._pivoted), each team's row a tuple (TeamRow). Each row must be what those rows add up to,
and `team_rows` the same for whoever sees the whole service (the summary) and for the aggregate of the rows a reader
may see (`_team_counts`). The hand-counted service is in conftest.py; here it also has a young person waiting for a PA
(counted under no team)."""

import datetime as dt

import pytest

from compliance import team_summary
from compliance.engine import recompute
from oversight import selectors
from oversight.selectors import CODES, NO_TEAM, TeamRow, _pivoted, _team_counts
from tests.factories import YoungPersonFactory

from .conftest import AS_OF


@pytest.fixture
def today(on_as_of):
    return on_as_of


@pytest.fixture
def wider(service, north):
    YoungPersonFactory(
        pa=None, allocated_on=None, referred_on=AS_OF - dt.timedelta(days=40), referring_team=north, name="Waiting Person"
    )
    recompute(AS_OF)
    return service


def by_hand(counts) -> dict:
    """`sums_by_team`'s rows worked out from (team, requirement, overdue, due soon) rows, one addition at a time."""
    codes = [code for code, _ in CODES]
    out: dict = {}
    for team, code, overdue, due_soon in counts:
        row = out.setdefault(team, [0] * (2 + 2 * len(codes)))
        row[0] += overdue
        row[1] += due_soon
        row[2 + codes.index(code)] += overdue
        row[2 + len(codes) + codes.index(code)] += due_soon
    return {team: tuple(row) for team, row in out.items()}


def as_dict(rows) -> dict:
    found = {row[0]: tuple(row[1:]) for row in rows}
    assert len(found) == len(rows)  # one row per team
    return found


def test_the_rows_added_up_per_team_are_the_summarys_rows_by_team_and_requirement(wider, sol, north, south, today):
    counts = team_summary.counts_by_team(today=today)
    assert {team for team, *_ in counts} == {north.pk, south.pk, None}  # the case is not empty
    assert as_dict(_pivoted(counts)) == by_hand(counts)
    # The aggregate of the rows the reader may see, added up the same way, gives the same rows (two sources).
    assert as_dict(_pivoted(_team_counts(user=sol.user, today=today, team=None))) == by_hand(counts)
    for team in (north, south):
        assert as_dict(_pivoted(team_summary.counts_by_team(today=today, team_id=team.pk))) == by_hand(
            team_summary.counts_by_team(today=today, team_id=team.pk)
        )


def test_nothing_to_count_gives_no_rows():
    assert _pivoted([]) == []


def test_team_rows_from_the_summary_and_from_the_aggregate_agree(wider, sol, north, south, today, monkeypatch):
    teams = selectors.dashboard_teams(sol.user)
    rows = selectors.team_rows(user=sol.user, teams=teams, today=today)
    assert [(r.team_id, r.name) for r in rows] == [(north.pk, "North Team"), (south.pk, "South Team"), (None, NO_TEAM)]
    north_row = rows[0]
    assert (north_row.overdue, north_row.due_soon, north_row.overdue_by_code) == (3, 2, {"visit": 2, "pathway_review": 1})
    assert north_row.overdue_cells == [2 if code == "visit" else 1 if code == "pathway_review" else 0 for code, _ in CODES]
    assert sum(rows[2].overdue_cells) == rows[2].overdue > 0  # the young person waiting for a PA
    monkeypatch.setattr(selectors, "is_service_wide", lambda user: False)  # the aggregate of the rows they may see
    assert selectors.team_rows(user=sol.user, teams=teams, today=today) == rows
    assert selectors.team_rows(user=sol.user, teams=teams, today=today, team=south) == [rows[1]]


def test_a_team_row_made_by_hand_reads_as_one_from_the_summary():
    row = TeamRow(
        4, "West", overdue=3, due_soon=1, overdue_cells=[3] + [0] * (len(CODES) - 1), due_soon_cells=[0] * (len(CODES) - 1) + [1]
    )
    assert (row.team_id, row.name, row.overdue, row.due_soon) == (4, "West", 3, 1)
    assert row.overdue_cells == [3] + [0] * (len(CODES) - 1) and row.due_soon_cells == [0] * (len(CODES) - 1) + [1]
    assert row.overdue_by_code == {CODES[0][0]: 3, CODES[-1][0]: 0}
    assert TeamRow(None, NO_TEAM).overdue_cells == [0] * len(CODES)
