"""Issue 16: the dashboards' tables are rendered in Python (core.fast_tables) to exactly the markup that
django-tables2's template (templates/includes/table.html) gives, values, escaping, attributes and footers included."""

import datetime as dt
import re
from itertools import count

import pytest
from django.template import engines
from django.template.loader import get_template
from django.utils import timezone

from approvals.models import Arrangement
from careleavers.models import Staff, Team, YoungPerson
from compliance.models import Requirement
from core.fast_tables import render_table, render_tables
from oversight import selectors
from oversight.models import OverdueUpdate
from oversight.selectors import CODES, Filters, TeamRow
from oversight.tables import (
    LongestOverdueTable,
    OverdueItemsTable,
    TeamsTable,
    item_tables_by_pa,
    item_tables_html,
    waiting_rows,
)
from oversight.views import _totals, _with_days

from .conftest import AS_OF
from .test_trend_split import split_chart

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
    # Issue 16: the tables' own cell values (cell_values) give django-tables2's defaults for what is empty: no PA, a
    # PA with no team or no name, a young person with no name, nothing overdue yet.
    nobody = Requirement(young_person=YoungPerson(pk=12, name="", ref="R2", pa=None), code="visit", due=dt.date(2026, 1, 3))
    nobody.status, nobody.days_overdue, nobody.update_on, nobody.update_by = "due_soon", 0, None, None
    teamless = Requirement(young_person=YoungPerson(pk=13, name="Al", ref="R3", pa=Staff(pk=4, name="", team=None)),
                           code="pathway_review", due=dt.date(2026, 1, 4))
    teamless.status, teamless.days_overdue, teamless.update_on, teamless.update_by = "overdue", None, None, None
    _same(LongestOverdueTable([row, nobody, teamless], limit=3))
    _same(OverdueItemsTable([nobody, teamless], labelledby="pa-none"))
    _same(TeamsTable([TeamRow(None, "")], codes=CODES, totals=_totals([TeamRow(None, "")]), page=_Page()))


#: The service dashboard's loop over the reduced visits waiting, as the template had it before issue 16.
WAITING_LOOP = (
    """{% for a in waiting %}\n      <tr><td><a href="{% url 'young_person' a.young_person_id %}">"""
    """{{ a.young_person.name }}</a></td><td>{{ a.young_person.pa.name|default:"Unallocated" }}</td>\n"""
    """        <td>{{ a.requested_at|date:"j M Y" }}</td><td>{{ a.requested_by.name|default:"—" }}</td></tr>\n"""
    """    {% endfor %}""")


def test_the_waiting_reduced_visits_are_the_rows_the_template_wrote():
    pa = Staff(pk=3, name="O'Brien <b>")
    late = timezone.make_aware(dt.datetime(2026, 3, 1, 23, 30))
    summer = dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC)  # already 1 Jul in London (BST): the local date is shown
    waiting = [
        Arrangement(young_person=YoungPerson(pk=11, name="Zoë & <i>", pa=pa), requested_at=late, requested_by=pa),
        Arrangement(young_person=YoungPerson(pk=12, name="Al", pa=None), requested_at=summer, requested_by=None),
        Arrangement(young_person=YoungPerson(pk=13, name="Bo", pa=Staff(pk=4, name="")), requested_at=summer,
                    requested_by=Staff(pk=5, name="")),
    ]
    old = engines["django"].from_string(WAITING_LOOP).render({"waiting": waiting})
    # The view reads WAITING_FIELDS as tuples: the same values, a related record missing as None.
    rows = [(a.young_person_id, a.young_person.name, a.young_person.pa.name if a.young_person.pa else None,
             a.requested_at, a.requested_by.name if a.requested_by else None) for a in waiting]
    assert waiting_rows(rows) == old
    assert "1 Jul 2026" in old and "Zoë &amp; &lt;i&gt;" in old and "Unallocated" in old


@pytest.mark.parametrize("keep_team", [True, False])
@pytest.mark.parametrize("chosen", [None, 0, 1])
def test_the_team_options_are_those_the_form_choices_gave(keep_team, chosen):
    """Issue 16: the team select's options, written once per list of teams and the chosen one marked on a copy, are
    what writing the form's choices one by one gave."""
    from django.utils.html import escape

    from oversight import views
    from oversight.forms import DashboardFilterForm

    teams = [Team(pk=7, name="Tom & Jerry's <team>"), Team(pk=17, name="North"), Team(pk=71, name="7")]
    form = DashboardFilterForm(None, teams=teams)
    scope = views.Scope(staff=None, today=AS_OF, teams=teams, team=None if chosen is None else teams[chosen],
                        filters=Filters(), form=form, pas=[])
    picked = scope.team.pk if scope.team else ""
    before = "".join(  # the one-pass loop over the form's choices that the view had
        f'<option value="{escape(value)}"{" selected" if value == picked else ""}>{escape(label)}</option>'
        for value, label in form.fields["team"].choices if value or not keep_team)
    assert views._team_options(scope, keep_team=keep_team) == before  # noqa: SLF001


@pytest.mark.parametrize("dashboard, team_pk", [("team", 3), ("service", None), ("head", None)])
def test_the_review_form_is_the_markup_crispy_wrote_with_a_fresh_token(dashboard, team_pk):
    """Issue 16: the dashboards' review form is written by crispy once per dashboard and given a new one-time token
    on every visit: the same markup as `{{ form|crispy }}` of the same form."""
    from oversight.models import Dashboard
    from oversight.reviews import DashboardReviewForm
    from oversight.templatetags import oversight_reviews

    cached = oversight_reviews._form_html(dashboard, team_pk)  # noqa: SLF001
    form = DashboardReviewForm(initial={"dashboard": dashboard, "team": team_pk, "once_token": "tok-1",
                                        "period": "monthly" if dashboard == Dashboard.HEAD else "weekly"},
                               auto_id=f"review-{dashboard}-%s")
    crispy = engines["django"].from_string("{% load crispy_forms_tags %}{{ form|crispy }}").render({"form": form})
    assert cached.replace(oversight_reviews.ONCE_MARK, "tok-1") == crispy
    assert cached.count(oversight_reviews.ONCE_MARK) == 1


#: The chart's table rows as the template's loop wrote them before issue 16.
CHART_ROWS = (
    """{% for row in chart.rows %}\n        <tr><th scope="row">{{ row.label }}</th>{% if chart.x_notes %}<td>"""
    """{% if row.night %}{{ row.night|date:"j M Y" }}{% else %}No run{% endif %}</td>{% endif %}{% for v in row.values %}"""
    """<td>{% if v is None %}—{% else %}{{ v }}{% endif %}</td>{% endfor %}</tr>\n      {% endfor %}""")


def test_a_charts_table_rows_are_those_the_template_wrote():
    from oversight.charts import Chart, Series

    weeks = Chart(title="t", x_title="Week", x_labels=[dt.date(2026, 3, 1), dt.date(2026, 3, 8)],
                  x_notes=[None, dt.date(2026, 3, 7)],
                  series=[Series("Tom & <Jerry>", [None, 12345]), Series("North", [0, 3])])
    teams = Chart(title="t", x_title="Team", x_labels=["Tom & <Jerry>", 7], series=[Series("Overdue", [1, None])])
    loop = engines["django"].from_string(CHART_ROWS)
    for chart in (weeks, teams):
        assert chart.table_body == loop.render({"chart": chart})
    assert "No run" in weeks.table_body and "Tom &amp; &lt;Jerry&gt;" in teams.table_body


#: The team page's loop over item_tables_by_pa before issue 16 wrote it in one pass (oversight.tables.item_tables_html).
_TEAM_LOOP = """{% load fast_tables %}{% for pa, table in item_tables %}
  <h3 class="h6 mt-3" id="pa-{{ pa.pk|default:'none' }}">{{ pa.name|default:"Unallocated" }}</h3>
  {% fast_table table %}
  {% endfor %}"""


def test_the_team_items_tables_are_the_loop_over_one_table_per_pa(service, alice, tess, on_as_of):
    """Issue 16: every Personal Adviser's table written with one table's columns is byte for byte the page's old loop
    over a table per PA (each numbering its rows from its first, odd and even, each with its own heading)."""
    rows = _with_days(selectors.team_items(user=tess.user, team=alice.team, today=AS_OF, filters=Filters()), AS_OF)
    rows[0].young_person.pa.name = "Alice <A&B>"  # escaped in the heading as the template escaped it
    old = engines["django"].from_string(_TEAM_LOOP).render({"item_tables": item_tables_by_pa(rows)})
    new = item_tables_html(rows)
    assert new.count("<table") == 2 and "Alice &lt;A&amp;B&gt;" in new
    assert new == old
    assert item_tables_html([]) == ""


def test_render_tables_is_render_table_of_each_group_and_refuses_other_cells(service, alice, tess, on_as_of):
    rows = _with_days(selectors.team_items(user=tess.user, team=alice.team, today=AS_OF, filters=Filters()), AS_OF)
    groups = [(rows[:1], OverdueItemsTable.attrs_for("a")), (rows[1:], OverdueItemsTable.attrs_for("b"))]
    table = OverdueItemsTable(rows[:1], labelledby="a")
    assert render_tables(table, groups) == [render_table(OverdueItemsTable(r, labelledby=a["aria-labelledby"]))
                                            for r, a in groups]
    with pytest.raises(ValueError, match="change its cells"):
        render_tables(table, [(rows, {**OverdueItemsTable.attrs_for("c"), "td": {"class": "x"}})])
    with pytest.raises(TypeError):
        render_tables(LongestOverdueTable.__new__(type("T", (), {})), [])


def _split_before_issue_16(chart, *, top):
    """The chart-level split as it was, a generator per point and team (the reference for its rewrite)."""
    teams = [s for s in chart.series if s.name != selectors.ALL_TEAMS]
    latest = max((i for i in range(len(chart.x_labels)) if any(s.values[i] is not None for s in teams)), default=None)
    ranked = sorted(teams, key=lambda s: -(s.values[latest] or 0) if latest is not None else 0)[:top]
    total = [None if all(s.values[i] is None for s in teams) else sum(s.values[i] or 0 for s in teams)
             for i in range(len(chart.x_labels))]
    return [s.name for s in teams if s in ranked], total


@pytest.mark.parametrize("latest_empty", [False, True])
def test_a_trend_split_into_its_top_teams_and_total_is_what_it_was(latest_empty):
    """Issue 16: the top teams (ties in their order, the last point with figures deciding) and the total by point."""
    from oversight.charts import Chart, Series
    values = [[None, 3, 1, None], [None, 2, 3, None], [None, 3, 0, None], [None, None, 3, None], [None, 1, None, None]]
    if latest_empty:
        values = [[None, v[1], None, None] for v in values]
    chart = Chart(title="T", x_title="W", x_labels=[1, 2, 3, 4],
                  series=[Series(f"Team {i}", v) for i, v in enumerate(values)])
    shown, total = split_chart(chart, top=2)
    names, sums = _split_before_issue_16(chart, top=2)
    assert [s.name for s in shown.series] == names and total.series[0].values == sums


def test_a_plan_kept_for_the_process_writes_each_later_table_as_its_own(monkeypatch):
    """Issue 16: a table with a plan_key has its columns' attributes and headers worked out once per process
    (core.fast_tables._plan_of); each later table of the key still gets its own rows, footer and caption, as the
    template writes them, and the kept plan holds no table (so no request's rows stay in the process)."""
    from core import fast_tables

    monkeypatch.setattr(fast_tables, "_PLANS", {})
    north = TeamRow(1, "North & <co>", overdue=3, due_soon=1, overdue_cells=[3] + [0] * (len(CODES) - 1))
    south = TeamRow(2, "South", overdue=1, due_soon=2, overdue_cells=[0, 1] + [0] * (len(CODES) - 2))
    nobody = TeamRow(None, "No team (unallocated)", overdue=2, overdue_cells=[0] * (len(CODES) - 1) + [2])

    class _Pages:
        number, paginator = 2, type("P", (), {"num_pages": 3})()

    first = _same(TeamsTable([north], codes=CODES, totals=_totals([north, south]), page=_Page()))
    assert len(fast_tables._PLANS) == 1  # noqa: SLF001
    later = _same(TeamsTable([south, nobody], codes=CODES, totals=_totals([north, south, nobody]), page=_Pages()))
    assert "All 2 teams and the unallocated" in later and "page 2 of 3" in later and "South" in later
    assert "North" in first and "North" not in later
    single = _same(TeamsTable([south], codes=CODES, totals=_totals([south]), page=_Page()))  # no footer for one team
    assert "<tfoot" not in single and len(fast_tables._PLANS) == 1  # noqa: SLF001
    for kept in fast_tables._PLANS.values():  # noqa: SLF001
        assert all(not hasattr(c.column, "table") for c in kept)


def test_a_plan_key_needs_a_table_that_gives_its_cells():
    table = LongestOverdueTable([], limit=1)
    table.cell_values = None  # its cells worked out by django-tables2 from a kept plan's columns: refused
    with pytest.raises(TypeError):
        render_table(table)
