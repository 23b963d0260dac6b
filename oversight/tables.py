"""The dashboards' overdue lists as django-tables2 tables (templates/includes/table.html), O1.

The rows come from oversight.selectors, already sorted and (for the team's items) paginated by the
view, so these tables do not sort. Their CSV and Excel downloads stay in oversight.exports.
"""

import datetime as dt
import html
from functools import cache, lru_cache
from itertools import groupby

import django_tables2 as tables
from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

from careleavers.models import Staff
from compliance.templatetags.leaving_care import requirement_label, status_badge
from core.fast_tables import render_tables
from core.reflow import DUE, NAME, STATUS, first_on_phone

DATE = "j M Y"
EMPTY = (None, "")  # a django-tables2 column's empty values: the column's default is shown instead
END = {"th": {"class": "text-end"}, "td": {"class": "text-end"}, "tf": {"class": "text-end"}}


def _young_person(record) -> str:
    """The young person's link and ref, as format_html wrote them (each value escaped), without its wrappers: a
    hundred rows a page (issue 16)."""
    young_person = record.young_person
    return SafeString(  # nosec B703  (every value is escaped)
        f'<a href="{html.escape(_young_person_url(record.young_person_id))}">{_escape(young_person.name)}</a>'
        f' <span class="text-muted small">{_escape(young_person.ref)}</span>')


def _young_person_url(pk: int) -> str:
    """reverse("young_person", args=[pk]), reversed once per process: a dashboard links a hundred young people."""
    global _YOUNG_PERSON_URL  # noqa: PLW0603
    if _YOUNG_PERSON_URL is None:
        _YOUNG_PERSON_URL = reverse("young_person", args=[0]).rsplit("/0/", 1)
    return f"{_YOUNG_PERSON_URL[0]}/{int(pk)}/{_YOUNG_PERSON_URL[1]}"


_YOUNG_PERSON_URL: list[str] | None = None


@cache
def _team_dashboard_url() -> str:
    return reverse("oversight:team")


@lru_cache(maxsize=512)
def _date(value) -> str:
    """A date as the tables show it ("j M Y"), the same few hundred dates on every page."""
    return date_filter(value, DATE)


@lru_cache(maxsize=8)
def _badge(status: str | None) -> SafeString:
    return status_badge(status)


NO_UPDATE = format_html('<span class="badge text-bg-light border">{}</span>', "No update from the PA")


def _update_cell(record) -> str:
    """The PA's latest update on an overdue item (O1, V4): `record` has update_* columns. Built here rather than
    by a template per row (issue 16); the markup is the one oversight/_update_cell.html had."""
    if record.update_on:
        by = format_html(", {}", record.update_by) if record.update_by else ""
        return format_html(
            '<div class="small"><strong>{}</strong>{}:\n  {}<br><span class="text-muted">Next:</span> {}</div>',
            date_filter(record.update_on, DATE), by, truncatechars(record.update_reason, 200),
            truncatechars(record.update_plan, 200))
    if record.status == "overdue":
        return NO_UPDATE
    return "—"


class OverdueItemsTable(tables.Table):
    """One Personal Adviser's overdue and due-soon items on the team dashboard, with their latest update."""

    young_person = tables.Column(verbose_name="Young person", accessor="young_person__name",
                                 attrs=first_on_phone(NAME))
    code = tables.Column(verbose_name="Requirement")
    due = tables.Column(verbose_name="Due", attrs=first_on_phone(DUE))
    status = tables.Column(verbose_name="Status", empty_values=(), attrs=first_on_phone(STATUS))
    days_overdue = tables.Column(verbose_name="Days overdue", attrs=END, empty_values=())
    update = tables.Column(verbose_name="PA's update", accessor="update_on", empty_values=())

    class Meta:
        template_name = "includes/table.html"
        orderable = False

    def __init__(self, rows, *, labelledby: str):
        super().__init__(rows, attrs=self.attrs_for(labelledby))

    @classmethod
    def plan_key(cls):
        """core.fast_tables: every such table has the same columns, headers, attributes and (empty) footers (its
        <table> tag's attributes are not the plan's)."""
        return cls

    @staticmethod
    def attrs_for(labelledby: str) -> dict:
        return {"class": "table table-sm align-middle", "aria-labelledby": labelledby}

    def render_young_person(self, record):
        return _young_person(record)

    def render_code(self, value):
        return requirement_label(value)

    def render_due(self, value):
        return date_filter(value, DATE)

    def render_status(self, value):
        return status_badge(value)

    def render_days_overdue(self, value):
        return value or "—"

    def render_update(self, record):
        return _update_cell(record)

    def cell_values(self, record) -> list:
        """Each cell's value in the columns' order, as django-tables2 picks and renders it (core.fast_tables), in
        one pass: a team's page has a hundred rows. The young person's name is the only column with empty values."""
        return [_young_person(record) if record.young_person.name not in EMPTY else self.default,
                requirement_label(record.code) if record.code not in EMPTY else self.default,
                _date(record.due) if record.due not in EMPTY else self.default,
                _badge(record.status), record.days_overdue or "—", _update_cell(record)]


def item_tables_by_pa(items) -> list:
    """The team's items (sorted by PA) as one table per Personal Adviser: [(pa or None, table)]."""
    return [
        (pa, OverdueItemsTable(list(rows), labelledby=f"pa-{pa.pk if pa else 'none'}"))
        for pa, rows in groupby(items, key=lambda r: r.young_person.pa)
    ]


def item_tables_html(items) -> SafeString:
    """The team's items (sorted by PA) as the team page's loop over `item_tables_by_pa` wrote them: each Personal
    Adviser's name as a heading, then their table. The tables share their columns, so they are written with one
    table's (core.fast_tables.render_tables), not a django-tables2 table built per PA (issue 16)."""
    groups = [(pa, list(rows)) for pa, rows in groupby(items, key=lambda r: r.young_person.pa)]
    if not groups:
        return SafeString("")
    ids = [f"pa-{pa.pk if pa else 'none'}" for pa, _ in groups]
    tables = render_tables(OverdueItemsTable(groups[0][1], labelledby=ids[0]),
                           [(rows, OverdueItemsTable.attrs_for(id_)) for (_, rows), id_ in zip(groups, ids, strict=True)])
    return SafeString("".join(  # nosec B703  (the name is escaped; the tables are render_tables' safe HTML)
        f'\n  <h3 class="h6 mt-3" id="{id_}">{conditional_escape(pa.name) if pa and pa.name else "Unallocated"}</h3>\n'
        f"  {table}\n  "
        for (pa, _), id_, table in zip(groups, ids, tables, strict=True)))


class LongestOverdueTable(tables.Table):
    """The Head of Service's longest overdue items, with the Personal Adviser's latest update."""

    young_person = tables.Column(verbose_name="Young person", accessor="young_person__name",
                                 attrs=first_on_phone(NAME))
    team = tables.Column(verbose_name="Team", accessor="young_person__pa__team", default="—")
    pa = tables.Column(verbose_name="Personal Adviser", accessor="young_person__pa__name", default="Unallocated")
    code = tables.Column(verbose_name="Requirement")
    due = tables.Column(verbose_name="Due", attrs=first_on_phone(DUE))
    days_overdue = tables.Column(verbose_name="Days overdue", attrs=first_on_phone(STATUS, END))
    update = tables.Column(verbose_name="PA's update", accessor="update_on", empty_values=())

    class Meta:
        template_name = "includes/table.html"
        attrs = {"class": "table table-sm align-middle"}
        orderable = False

    def __init__(self, rows, *, limit: int):
        super().__init__(rows)
        self.caption = f"The {limit} items overdue the longest, with the Personal Adviser's latest update"

    @classmethod
    def plan_key(cls):
        """core.fast_tables: every such table has the same columns, headers, attributes and (empty) footers."""
        return cls

    def render_young_person(self, record):
        return _young_person(record)

    def render_team(self, value):
        return format_html('<a href="{}?team={}">{}</a>', _team_dashboard_url(), value.pk, value.name)

    def render_code(self, value):
        return requirement_label(value)

    def render_due(self, value):
        return date_filter(value, DATE)

    def render_update(self, record):
        return _update_cell(record)

    def cell_values(self, record) -> list:
        """As OverdueItemsTable.cell_values: the team and PA of an unallocated young person are their defaults."""
        pa = record.young_person.pa
        team = pa.team if pa is not None else None
        return [_young_person(record) if record.young_person.name not in EMPTY else self.default,
                self.render_team(team) if team is not None else "—",
                pa.name if pa is not None and pa.name not in EMPTY else "Unallocated",
                requirement_label(record.code) if record.code not in EMPTY else self.default,
                _date(record.due) if record.due not in EMPTY else self.default,
                record.days_overdue if record.days_overdue not in EMPTY else self.default,
                _update_cell(record)]


def _all_teams(totals: dict) -> str:
    """"All 3 teams", and "and the unallocated" when the young people waiting for a PA have a row (not a team)."""
    named = totals.get("named_teams", totals["teams"])
    more = " and the unallocated" if totals["teams"] > named else ""
    return f"All {named} team{'s' if named != 1 else ''}{more}"


class TeamsTable(tables.Table):
    """The Service Leader's teams side by side: overdue and due soon now, and overdue by requirement.
    The team is each row's header; the footer totals every team (not only this page's)."""

    name = tables.Column(verbose_name="Team", footer=lambda table: _all_teams(table.totals))
    overdue = tables.Column(verbose_name="Overdue", attrs=END, footer=lambda table: table.totals["overdue"])
    due_soon = tables.Column(verbose_name="Due soon", attrs=END, footer=lambda table: table.totals["due_soon"])

    row_header = "name"

    class Meta:
        template_name = "includes/table.html"
        attrs = {"class": "table table-sm align-middle"}
        orderable = False

    def __init__(self, rows, *, codes, totals: dict, page):
        cells = totals["overdue_cells"] or [""] * len(codes)
        extra = [
            (f"overdue_{code}", tables.Column(verbose_name=f"Overdue: {label}", accessor=f"overdue_cells__{i}",
                                              attrs=END, footer=cells[i]))
            for i, (code, label) in enumerate(codes)
        ]
        super().__init__(rows, extra_columns=extra)
        self.totals, self._footer_cells = totals, cells
        self._codes = tuple(codes)
        self.show_footer = totals["teams"] > 1
        self.caption = "Overdue and due-soon items now, by team, and overdue items by requirement" + (
            f": page {page.number} of {page.paginator.num_pages}" if page.paginator.num_pages > 1 else "")
        self.responsive = True

    def plan_key(self):
        """core.fast_tables: the same columns, attributes and headers for the same requirements (the footers, which
        differ, are `footer_values`)."""
        return (type(self), self._codes)

    def render_name(self, record, value):
        if not record.team_id:
            return value
        return format_html('<a href="{}?team={}">{}</a>', _team_dashboard_url(), record.team_id, value)

    def footer_values(self) -> list:
        """Each column's footer as its `footer` gives it (core.fast_tables), in one pass: every team's totals."""
        return [_all_teams(self.totals), self.totals["overdue"], self.totals["due_soon"], *self._footer_cells]

    def cell_values(self, record) -> list:
        """As OverdueItemsTable.cell_values: the team, its overdue and due soon, and overdue by requirement."""
        return [self.render_name(record, record.name) if record.name not in EMPTY else self.default,
                record.overdue, record.due_soon, *record.overdue_cells]


#: What the service dashboard's list of reduced visits waiting for the Service Leader reads of each arrangement, as
#: one tuple a row (issue 16: no model instances for a hundred arrangements, their young people, PAs and requesters).
WAITING_FIELDS = ("young_person_id", "young_person__name", "young_person__pa__name", "requested_at",
                  "requested_by_name")
#: Who asked, by name, as a column (`requested_by_name`): joined to the staff table for it, PostgreSQL hashed all of
#: it (4 600 rows at national scale) for a hundred arrangements (issue 16).
REQUESTED_BY = Subquery(Staff.objects.filter(pk=OuterRef("requested_by_id")).values("name")[:1])


def waiting_rows(rows) -> SafeString:
    """The rows of the service dashboard's reduced visits waiting for the Service Leader (a hundred or more at
    national scale), written in one pass from WAITING_FIELDS tuples: the markup the template's loop gave, with the
    young person's URL reversed once and each local date formatted once (issue 16). The names are text from the
    database, escaped as `conditional_escape` escapes text (html.escape), without its wrappers per value."""
    _young_person_url(0)
    head, tail = _YOUNG_PERSON_URL or ("", "")
    zone = timezone.get_current_timezone() if settings.USE_TZ else None
    out = []
    for pk, young_person, pa, asked_at, requested_by in rows:
        requested_at = asked_at
        if zone is not None and isinstance(asked_at, dt.datetime) and asked_at.utcoffset() is not None:
            requested_at = asked_at.astimezone(zone)  # as template_localtime
        out.append(
            f'\n      <tr><td><a href="{head}/{int(pk)}/{tail}">{_escape(young_person)}</a></td>'
            f'<td>{_escape(pa) if pa not in EMPTY else "Unallocated"}</td>\n'
            f'        <td>{_local_date(requested_at.date())}</td>'
            f'<td>{_escape(requested_by) if requested_by not in EMPTY else "—"}</td></tr>\n    ')
    return SafeString("".join(out))  # nosec B703  (every value is escaped by _escape or is a date or a URL)


def _escape(value) -> str:
    """conditional_escape of a value read from the database (text: never already safe)."""
    return html.escape(str(value))


@lru_cache(maxsize=512)
def _local_date(value) -> str:
    return conditional_escape(_date(value))
