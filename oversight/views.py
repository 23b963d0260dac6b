"""Oversight dashboards (O1) and the PA's update on an overdue item. Views parse, call a
selector or service, and render; who sees what is decided in the selectors."""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import rules
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import router
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import escape
from django.utils.safestring import SafeString

from careleavers.models import Staff, Team
from careleavers.selectors import young_person_for
from compliance.models import RequirementCode, Status
from core.audit import audit_view
from core.decorators import require_perm, staff_required
from core.idempotency import submit_once
from core.replicas import reads_from_replica, replica_reads

from . import selectors
from .charts import Chart, Series
from .exports import csv_response, csv_stream_response, xlsx_response
from .forms import DashboardFilterForm, OverdueUpdateForm
from .selectors import CODES, Filters
from .services import overdue_items_for, overdue_update_add
from .tables import LongestOverdueTable, TeamsTable, item_tables_html, waiting_rows

PAGE_SIZE = 100
OVERDUE_COLOUR, DUE_SOON_COLOUR = "#a4121a", "#f5a623"  # the status badges' colours (static/css/app.css)
LABELS = dict(RequirementCode.choices)
STATUSES = dict(Status.choices)


#: A team's columns, in the order `_scope` reads them.
TEAM_FIELDS = ("id", "ref", "name")


@dataclass
class Scope:
    staff: Staff
    today: dt.date
    teams: list  # (pk, ref, name) rows with those attributes
    team: Team | None
    filters: Filters
    form: DashboardFilterForm
    pas: list[tuple[int, str]]


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


#: Who may open each dashboard (core.rules). Anyone else gets 404: there is no such page for them.
DASHBOARD_PERMS = {
    "team": ("oversight.view_team_dashboard", "Dashboards are for managers."),
    "service": ("oversight.view_service_dashboard", "This dashboard is for the Service Leader and the Head of Service."),
    "head": ("oversight.view_head_dashboard", "This dashboard is for the Service Leader and the Head of Service."),
}
#: The dashboard a manager lands on: the first whose permission they have (core.rules).
LANDING = (
    ("oversight.lands_on_head_dashboard", "oversight:head"),
    ("oversight.lands_on_service_dashboard", "oversight:service"),
    ("oversight.view_team_dashboard", "oversight:team"),
)


def _scope(request, *, staff: Staff, dashboard: str) -> Scope:
    """The signed-in manager, the teams they may see and the filters asked for. A team or PA
    id they may not see is a 404, as for any other record."""
    today = timezone.localdate()
    permission, refusal = DASHBOARD_PERMS[dashboard]
    if not rules.has_perm(permission, staff.user):
        raise Http404(refusal)
    # Issue 16: a service's hundreds of teams as (pk, ref, name) rows, not Team instances: the lists, charts and
    # options read only their pk and name. The one team chosen is made a Team from its row, as the ORM makes it.
    teams = selectors.dashboard_teams(request.user)  # query: teams
    by_pk = {t.pk: t for t in teams}
    asked_team = request.GET.get("team") or None
    if asked_team is not None and _int(asked_team) not in by_pk:
        raise Http404("No such team on your dashboards.")
    chosen = by_pk.get(_int(asked_team)) if asked_team else None
    if dashboard == "team":
        chosen = chosen or (teams[0] if teams else None)
    team = Team.from_db(router.db_for_read(Team), TEAM_FIELDS, tuple(chosen)) if chosen is not None else None
    pas: list[tuple[int, str]] = []
    if dashboard == "team":
        if team is not None:
            pas = selectors.team_pas(team)  # query: PAs
    asked_pa = request.GET.get("pa") or None
    if asked_pa is not None and _int(asked_pa) not in dict(pas):
        raise Http404("No such Personal Adviser in this team.")
    form = DashboardFilterForm(request.GET or None, teams=teams, pas=pas,
                              past_only_from=None if dashboard == "team" else today)  # the team's due dates may be ahead
    data = form.cleaned_data if form.is_valid() else {
        k: v for k, v in getattr(form, "cleaned_data", {}).items() if k not in form.errors
    }
    filters = Filters(team=team, date_from=data.get("date_from"), date_to=data.get("date_to"))
    if asked_pa is not None:
        filters.pa_id, filters.pa_name = _int(asked_pa), dict(pas)[_int(asked_pa)]
    return Scope(staff=staff, today=today, teams=teams, team=team, filters=filters, form=form, pas=pas)


def _weeks_range(scope: Scope) -> tuple[dt.date, dt.date]:
    end = scope.filters.date_to or scope.today
    return scope.filters.date_from or end - dt.timedelta(days=7 * 12 - 1), end


def _months_range(scope: Scope) -> tuple[dt.date, dt.date]:
    end = scope.filters.date_to or scope.today
    if scope.filters.date_from:
        return scope.filters.date_from, end
    start = end.replace(day=1)
    for _ in range(11):
        start = (start - dt.timedelta(days=1)).replace(day=1)
    return start, end


def _export_links(request, names: list[str]) -> dict[str, dict[str, str]]:
    query = request.GET.urlencode()
    suffix = f"?{query}" if query else ""
    return {
        name.replace("-", "_"): {fmt: reverse("oversight:export", args=[name, fmt]) + suffix for fmt in ("csv", "xlsx")}
        for name in names
    }


def _with_param(request, **params) -> str:
    """This page's query string with some parameters set (None: removed)."""
    query = request.GET.copy()
    for key, value in params.items():
        query.pop(key, None)
        if value is not None:
            query[key] = value
    return f"?{query.urlencode()}" if query else "?"


def _totals(rows) -> dict:
    # Issue 16: summed in C over a service's hundreds of teams (oversight.selectors.TeamRow: each row a tuple, so
    # zip gives each column), not a generator per figure.
    columns = list(zip(*rows, strict=True)) if rows else []
    cells = columns[4:4 + len(CODES)]
    return {
        "teams": len(rows), "named_teams": len(rows) - (columns[1].count(selectors.NO_TEAM) if rows else 0),
        "overdue": sum(columns[2]) if rows else 0, "due_soon": sum(columns[3]) if rows else 0,
        "overdue_cells": list(map(sum, cells)),
    }


def _base_context(scope: Scope, *, keep_team: bool = False) -> dict:
    return {
        "scope": scope, "today": scope.today, "team": scope.team, "form": scope.form, "filter_forms": [scope.form],
        "show_team": len(scope.teams) > 1,
        "team_options": _team_options(scope, keep_team=keep_team),
    }


def _team_options(scope: Scope, *, keep_team: bool) -> SafeString:
    """The team select's <option>s ("All teams", then the form's teams): a service can have hundreds of teams, and a
    template loop over them cost more than the rest of the filter form, so they are written in Python, once per
    list of teams a process sees, and the chosen one marked on a copy (issue 16). `keep_team`: no "All teams"
    option (the team dashboard always shows one team)."""
    options = _options_html(tuple((t.pk, t.name) for t in scope.teams), keep_team=keep_team)
    chosen = f'<option value="{scope.team.pk if scope.team else ""}">'
    return SafeString(options.replace(chosen, chosen[:-1] + " selected>", 1))  # nosec B703  (escaped below)


@lru_cache(maxsize=16)
def _options_html(teams: tuple[tuple[int, str], ...], *, keep_team: bool) -> str:
    choices = ([] if keep_team else [("", "All teams")]) + list(teams)
    return "".join(f'<option value="{escape(value)}">{escape(label)}</option>' for value, label in choices)


@staff_required
def dashboard(request, *, staff: Staff):
    """Each manager's own dashboard; 404 for anyone who has none (PAs, duty admin)."""
    for permission, url_name in LANDING:
        if rules.has_perm(permission, staff.user):
            return redirect(url_name)
    raise Http404("No dashboard for your role.")


# --- Team Leader ------------------------------------------------------------------------------

def _with_days(rows, today: dt.date) -> list:
    rows = list(rows)
    for r in rows:
        r.days_overdue = max((today - r.due).days, 0)
    return rows


@staff_required
@reads_from_replica  # issue 16: aggregates for managers may read a replica
def team_dashboard(request, *, staff: Staff):
    scope = _scope(request, staff=staff, dashboard="team")
    context = _base_context(scope, keep_team=True) | {
        # The breadcrumb back to the service dashboard, for those who came from it.
        "can_view_service_dashboard": rules.has_perm("oversight.view_service_dashboard", staff.user),
        **selectors.nightly_status(),  # issue 15, item 8
    }
    if scope.team is not None:
        summary = selectors.team_pa_summary(user=request.user, team=scope.team, today=scope.today, filters=scope.filters)
        paginator = Paginator(selectors.team_item_pages(user=request.user, team=scope.team, today=scope.today,
                                                        filters=scope.filters), PAGE_SIZE)
        paginator.count = selectors.team_items_count(summary, filters=scope.filters)  # issue 16: no COUNT query
        page = paginator.get_page(request.GET.get("page"))  # query: page
        context.update(
            page=page,
            items=(rows := _with_days(page.object_list, scope.today)),
            item_tables_html=item_tables_html(rows),  # one table per PA
            summary=summary,
            plans=selectors.team_plans(user=request.user, team=scope.team),
            arrangements=selectors.team_arrangements(user=request.user, team=scope.team),
            exports=_export_links(request, ["team-items", "team-pas", "team-plans", "team-arrangements"]),
        )
    return render(request, "oversight/team.html", context)


# --- Service Leader ---------------------------------------------------------------------------

#: A service can have hundreds of teams: the table of teams is paginated, and each chart shows
#: the teams with most overdue (a bar chart of 500 teams, or 500 lines, is unreadable). The
#: full figures are in the paginated table and in the downloads.
TEAMS_PAGE_SIZE = 25
CHART_TEAMS = 10  # bars: overdue and due soon of the 10 teams with most overdue
TREND_TEAMS = 8  # lines: one per colour of the palette
TEAM_SORTS = {"name": "Team name", "overdue": "Most overdue first"}


def _now_chart(rows) -> Chart:
    shown = rows if len(rows) <= CHART_TEAMS else selectors.top_teams(rows, limit=CHART_TEAMS)
    title = "Overdue and due soon now, by team" if shown is rows else (
        f"Overdue and due soon now: the {len(shown)} teams with most overdue")
    return Chart(
        title=title, x_title="Team", x_labels=[r.name for r in shown],
        series=[Series("Overdue", [r.overdue for r in shown], colour=OVERDUE_COLOUR),
                Series("Due soon", [r.due_soon for r in shown], colour=DUE_SOON_COLOUR)],
    )


def _sorted_team_rows(rows, sort: str):
    if sort == "overdue":
        return selectors.top_teams(rows, limit=len(rows))
    return rows


@staff_required
@reads_from_replica  # issue 16: aggregates for managers may read a replica
def service_dashboard(request, *, staff: Staff):
    scope = _scope(request, staff=staff, dashboard="service")
    date_from, date_to = _weeks_range(scope)
    rows = selectors.team_rows(user=request.user, teams=scope.teams, today=scope.today, team=scope.team)
    sort = request.GET.get("sort") if request.GET.get("sort") in TEAM_SORTS else "name"
    page = Paginator(_sorted_team_rows(rows, sort), TEAMS_PAGE_SIZE).get_page(request.GET.get("page"))  # no query: a list
    trend, trend_total = selectors.weekly_trend_split(teams=scope.teams, date_from=date_from, date_to=date_to,
                                                      team=scope.team, top=TREND_TEAMS)
    return render(request, "oversight/service.html", _base_context(scope) | {
        "show_team": True,
        "codes": CODES,
        "rows": page.object_list,
        "page": page,
        "sort": sort,
        "sorts": [(key, label, _with_param(request, sort=key, page=None)) for key, label in TEAM_SORTS.items()],
        "totals": (totals := _totals(rows)),
        "teams_table": TeamsTable(page.object_list, codes=CODES, totals=totals, page=page),
        "now_chart": _now_chart(rows),
        "trend": trend,
        "trend_total": trend_total,
        "waiting": (waiting := selectors.reduced_visits_waiting_rows(user=request.user, team=scope.team)),
        "waiting_rows": waiting_rows(waiting),
        **selectors.nightly_status(),  # issue 15, item 8: says plainly when the run is late
        "exports": _export_links(request, ["service-teams", "service-trend", "service-reduced-visits"]),
    })


# --- Head of Service --------------------------------------------------------------------------

LONGEST = 25


@staff_required
@reads_from_replica  # issue 16: aggregates for managers may read a replica
def head_dashboard(request, *, staff: Staff):
    scope = _scope(request, staff=staff, dashboard="head")
    date_from, date_to = _months_range(scope)
    by_team, by_team_total, by_code = selectors.monthly_charts_split(teams=scope.teams, date_from=date_from,
                                                                     date_to=date_to, team=scope.team, top=TREND_TEAMS)
    longest = selectors.longest_overdue_top(user=request.user, today=scope.today, team=scope.team, limit=LONGEST)
    return render(request, "oversight/head.html", _base_context(scope) | {
        "show_team": True,
        "by_team": by_team, "by_team_total": by_team_total, "by_code": by_code,
        "longest": (longest := _with_days(longest, scope.today)), "longest_limit": LONGEST,
        "longest_table": LongestOverdueTable(longest, limit=LONGEST),
        **selectors.nightly_status(),  # issue 15, item 8: says plainly when the run is late
        "exports": _export_links(request, ["head-by-team", "head-by-requirement", "head-longest"]),
    })


# --- exports ----------------------------------------------------------------------------------

def _d(value):
    return value.date() if isinstance(value, dt.datetime) else value


ITEM_HEADERS = ["Team", "Personal Adviser", "Young person ref", "Young person", "Requirement", "Last met", "Due",
                "Status", "Days overdue", "Latest update on", "Update by", "Why it is overdue", "What will happen"]


def _item_row(r, today) -> list:
    return [r.young_person.pa.team.name if r.young_person.pa and r.young_person.pa.team else "",
            r.young_person.pa.name if r.young_person.pa else "Unallocated", r.young_person.ref, r.young_person.name,
            LABELS.get(r.code, r.code), r.last_met, r.due, STATUSES.get(r.status, r.status),
            max((today - r.due).days, 0), r.update_on, r.update_by or "", r.update_reason or "", r.update_plan or ""]


def _item_rows(rows, today):
    rows = list(rows)
    return ITEM_HEADERS, (_item_row(r, today) for r in rows), [r.young_person_id for r in rows]


def _arrangement_rows(arrangements):
    arrangements = list(arrangements)
    headers = ["Young person ref", "Young person", "Personal Adviser", "Arrangement", "State", "Requested by", "Requested on"]
    return headers, (
        [a.young_person.ref, a.young_person.name, a.young_person.pa.name if a.young_person.pa else "Unallocated",
         a.get_kind_display(), a.get_state_display(), a.requested_by.name if a.requested_by else "",
         _d(timezone.localtime(a.requested_at))]
        for a in arrangements
    ), [a.young_person_id for a in arrangements]


def _chart_rows(chart: Chart):
    headers = [chart.x_title, "Snapshot of"] + [s.name for s in chart.series]
    return headers, ([row["label"], row["night"]] + row["values"] for row in chart.rows), []


def _export_team(request, name, staff):
    scope = _scope(request, staff=staff, dashboard="team")
    if scope.team is None:
        raise Http404("No team.")
    user, team, today = request.user, scope.team, scope.today
    if name == "team-items":
        items = selectors.team_items(user=user, team=team, today=today, filters=scope.filters).select_related(
            "young_person__pa__team")
        return _item_rows(items, today)
    if name == "team-pas":
        summary = selectors.team_pa_summary(user=user, team=team, today=today, filters=scope.filters)
        return ["Personal Adviser", "Young people", "Overdue", "Due soon"], (
            [s["young_person__pa__name"] or "Unallocated", s["people"], s["overdue"], s["due_soon"]] for s in summary), []
    if name == "team-plans":
        plans = list(selectors.plans_awaiting_sign_off(user=user, team=team))
        return ["Young person ref", "Young person", "Personal Adviser", "Plan", "Version", "Submitted on", "Review due"], (
            [p.young_person.ref, p.young_person.name, p.young_person.pa.name if p.young_person.pa else "Unallocated",
             p.get_kind_display(), p.version, _d(timezone.localtime(p.submitted_at)) if p.submitted_at else None,
             p.review_due] for p in plans), [p.young_person_id for p in plans]
    return _arrangement_rows(selectors.arrangements_awaiting_decision(user=user, team=team))


def _export_service(request, name, staff):
    scope = _scope(request, staff=staff, dashboard="service")
    if name == "service-teams":
        rows = selectors.team_rows(user=request.user, teams=scope.teams, today=scope.today, team=scope.team)
        return ["Team", "Overdue", "Due soon"] + [f"Overdue: {label}" for _, label in CODES], (
            [r.name, r.overdue, r.due_soon, *r.overdue_cells] for r in rows), []
    if name == "service-trend":
        date_from, date_to = _weeks_range(scope)
        return _chart_rows(selectors.weekly_trend(teams=scope.teams, date_from=date_from, date_to=date_to, team=scope.team))
    return _arrangement_rows(selectors.reduced_visits_awaiting_service_leader(user=request.user, team=scope.team))


def _export_head(request, name, staff):
    scope = _scope(request, staff=staff, dashboard="head")
    if name == "head-longest":
        return _item_rows(selectors.longest_overdue(user=request.user, today=scope.today, team=scope.team), scope.today)
    date_from, date_to = _months_range(scope)
    by_team, by_code = selectors.monthly_charts(teams=scope.teams, date_from=date_from, date_to=date_to, team=scope.team)
    return _chart_rows(by_team if name == "head-by-team" else by_code)


EXPORTS = {
    "team-items": ("Overdue and due soon", _export_team),
    "team-pas": ("By Personal Adviser", _export_team),
    "team-plans": ("Plans awaiting sign-off", _export_team),
    "team-arrangements": ("Arrangements awaiting decision", _export_team),
    "service-teams": ("Teams side by side", _export_service),
    "service-trend": ("Overdue week by week", _export_service),
    "service-reduced-visits": ("Reduced visits to agree", _export_service),
    "head-by-team": ("Overdue by team monthly", _export_head),
    "head-by-requirement": ("Overdue by requirement monthly", _export_head),
    "head-longest": ("Longest overdue", _export_head),
}


@staff_required
@reads_from_replica  # issue 16
def export(request, name: str, fmt: str, *, staff: Staff):
    if name not in EXPORTS or fmt not in ("csv", "xlsx"):
        raise Http404("No such list.")
    title, build = EXPORTS[name]
    if name == "head-longest" and fmt == "csv":
        return _stream_longest(request, name, staff)
    headers, rows, people = build(request, name, staff)
    audit_view(actor=staff, page=f"oversight:{name}.{fmt}", young_people=people)  # issue 14, item 7: who it includes
    filename = f"{name}-{date_format(timezone.localdate(), 'Y-m-d')}"
    if fmt == "csv":
        return csv_response(filename, headers, rows)
    return xlsx_response(filename, headers, rows, title=title)


def _stream_longest(request, name: str, staff: Staff):
    """Issue 16: the Head of Service's longest overdue list (tens of thousands of rows nationally) as a
    CSV streamed a chunk at a time. Who it includes is logged as it goes (issue 14, item 7: one row per young
    person), each chunk's young people before their rows leave: logging all 35 000 first kept the first byte
    waiting for seconds (the 200 ms target), and a download broken off is logged for what it sent."""
    scope = _scope(request, staff=staff, dashboard="head")
    user, today, team = request.user, scope.today, scope.team
    source = selectors.longest_overdue_chunks(user=user, today=today, team=team)
    logged: set[int] = set()

    def chunks():
        # Read after the view has returned, so each chunk asks for the replica itself.
        while True:
            with replica_reads():
                chunk = next(source, None)
            if chunk is None:
                return
            people = {r.young_person_id for r in chunk} - logged
            audit_view(actor=staff, page=f"oversight:{name}.csv", young_people=people)
            logged.update(people)
            yield [_item_row(r, today) for r in chunk]

    return csv_stream_response(f"{name}-{date_format(timezone.localdate(), 'Y-m-d')}", ITEM_HEADERS, chunks())


# --- the PA's update on an overdue item (O1, V4) ----------------------------------------------

@staff_required
def overdue_update(request, pk: int, code: str, *, staff: Staff):
    young_person = young_person_for(staff.user, pk=pk)
    require_perm(staff.user, "oversight.record_overdue_update", young_person,
                 "Only the young person's Personal Adviser records an update on an overdue item.")
    today = timezone.localdate()
    items = {i["requirement"].code: i for i in overdue_items_for(young_person=young_person, today=today)}
    item = items.get(code)
    if item is None:
        if code not in LABELS:
            raise Http404("No such requirement.")
        messages.info(request, f"The {LABELS[code].lower()} is not overdue, so there is no update to record.")
        return redirect("young_person", pk=young_person.pk)
    form = OverdueUpdateForm(request.POST or None)
    def record():
        overdue_update_add(
            young_person=young_person, requirement=code, reason=form.cleaned_data["reason"],
            plan=form.cleaned_data["plan"], actor=staff, today=today,
        )
        messages.success(request, f"Update recorded on the overdue {item['label'].lower()}.")
        return redirect(reverse("young_person", args=[young_person.pk]) + "#panel-overdue_updates")

    if (done := submit_once(request, form, record)) is not None:
        return done
    return render(request, "oversight/overdue_update.html", {
        "yp": young_person, "item": item, "form": form, "error_forms": [form], "today": today,
    })


# --- the young person's page panel ------------------------------------------------------------

def overdue_panel_context(*, request, young_person, today, reads=None):
    """Overdue items with the latest update, on the young person's page. Two queries (one when the page has read
    the requirements: issue 16)."""
    requirements = reads.get("requirements") if reads is not None else None
    items = overdue_items_for(young_person=young_person, today=today, requirements=requirements)
    if not items:
        return None
    return {"yp": young_person, "items": items,
            "can_update": rules.has_perm("oversight.record_overdue_update", request.user, young_person),
            # issue 12 (item 2): a manager of the case answers the PA's update
            "can_answer": rules.has_perm("careleavers.record_oversight", request.user, young_person)}
