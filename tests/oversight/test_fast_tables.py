"""Issue 16: the dashboards' tables are rendered in Python (core.fast_tables) to exactly the markup that
django-tables2's template (templates/includes/table.html) gives, values, escaping, attributes and footers included."""

import datetime as dt
import re
from itertools import count

import pytest
from django.template.loader import get_template

from careleavers.models import Staff, Team, YoungPerson
from compliance.models import Requirement
from core.fast_tables import render_table
from oversight import selectors
from oversight.models import OverdueUpdate
from oversight.selectors import CODES, Filters, TeamRow
from oversight.tables import LongestOverdueTable, OverdueItemsTable, TeamsTable, item_tables_by_pa
from oversight.views import _totals, _with_days

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


def _normal(html: str) -> str:
    """Whitespace between and inside tags does not matter to a browser (the template's line breaks differ)."""
    html = re.sub(r"\s+", " ", str(html))
    return re.sub(r"\s*(<|>)\s*", r"\1", html).replace(" >", ">").strip()


def _template(table) -> str:
    table._counter = count()  # noqa: SLF001  rows are numbered (odd, even) from the table's counter: as for a first render
    return get_template("includes/table.html").render({"table": table})


def _same(table):
    fast = render_table(table)
    differ = [(a, b) for a, b in zip(_normal(fast).split("><"), _normal(_template(table)).split("><"), strict=False)
              if a != b]
    assert not differ, differ[:3]
    assert _normal(fast) == _normal(_template(table))
    return fast


class _Page:
    number, paginator = 1, type("P", (), {"num_pages": 1})()


def test_team_items_tables_match_the_template(service, alice, tess, on_as_of):
    item = selectors.team_items(user=tess.user, team=alice.team, today=AS_OF, filters=Filters()).first()
    OverdueUpdate.objects.create(young_person_id=item.young_person_id, requirement=item.code, due=item.due, version=1,
                                 reason="Cancelled <twice> & " + "x" * 300, plan="Visit booked", author=alice,
                                 recorded_on=AS_OF)
    rows = _with_days(selectors.team_items(user=tess.user, team=alice.team, today=AS_OF, filters=Filters()), AS_OF)
    tables = item_tables_by_pa(rows)
    assert len(tables) == 2  # alice and bella
    html = "".join(_same(table) for _pa, table in tables)
    assert "Cancelled &lt;twice&gt; &amp;" in html and "…" in html  # escaped, and cut at 200 characters
    assert "No update from the PA" in html and 'data-priority="1"' in html


def test_longest_overdue_and_teams_tables_match_the_template(service, hana, on_as_of):
    longest = _with_days(selectors.longest_overdue(user=hana.user, today=AS_OF)[:25], AS_OF)
    html = _same(LongestOverdueTable(longest, limit=25))
    assert "?team=" in html and "Abe Three" in html
    rows = selectors.team_rows(user=hana.user, teams=list(Team.objects.order_by("name")), today=AS_OF)
    rows.append(TeamRow(None, "No team (unallocated)", overdue=1))
    html = _same(TeamsTable(rows, codes=CODES, totals=_totals(rows), page=_Page()))
    assert "<tfoot" in html and "All 2 teams and the unallocated" in html and 'scope="row"' in html


def test_unsaved_records_and_an_empty_table_match_the_template():
    team = Team(pk=7, name="Tom & Jerry's <team>")
    pa = Staff(pk=3, name="O'Brien", team=team)
    person = YoungPerson(pk=11, name="Zoë <b>", ref="R&1", pa=pa)
    row = Requirement(young_person=person, code="visit", due=dt.date(2026, 1, 2))
    row.status, row.days_overdue, row.update_on, row.update_by = "overdue", 0, None, None
    _same(LongestOverdueTable([row], limit=1))
    _same(OverdueItemsTable([row], labelledby="pa-3"))
    _same(OverdueItemsTable([], labelledby="pa-none"))
