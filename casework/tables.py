"""The caseload as a django-tables2 table (V4, V5, X1), rendered by templates/includes/table.html.

The rows are one page of casework.filters.CaseloadPaginator, already sorted by the database (most
urgent first, or by the column asked for): the table shows the sort but never re-sorts the page.
"""

import django_tables2 as tables
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django_tables2.data import TableListData

from compliance.templatetags.leaving_care import requirement_label, status_badge
from core.reflow import DUE, NAME, STATUS, first_on_phone

DATE = "j M Y"


class SortedByTheDatabase(TableListData):
    """Rows the paginator has already put in order: a sortable column changes the query, not the page."""

    def order_by(self, aliases):
        return None


class CaseloadTable(tables.Table):
    name = tables.Column(verbose_name="Young person", order_by=("name", "ref"), attrs=first_on_phone(NAME))
    ref = tables.Column(verbose_name="Ref", orderable=False)
    # Issue 15, item 6: the age, sortable (youngest first) over the date of birth's index.
    age = tables.Column(verbose_name="Age", empty_values=(), order_by=("-date_of_birth", "-ref"))
    pa = tables.Column(verbose_name="Personal Adviser", accessor="pa__name", default="Unallocated", orderable=False)
    circumstance = tables.Column(verbose_name="Circumstance", accessor="get_circumstance_display", orderable=False)
    next_code = tables.Column(verbose_name="Most urgent", default="—", orderable=False)
    due = tables.Column(verbose_name="Due", accessor="next_due", default="—", attrs=first_on_phone(DUE))
    status = tables.Column(verbose_name="Status", accessor="next_status", empty_values=(), attrs=first_on_phone(STATUS))

    caption = "Young people, most urgent first"
    responsive = True

    class Meta:
        template_name = "includes/table.html"
        attrs = {"class": "table table-sm table-hover align-middle"}
        orderable = True

    def __init__(self, rows, *, show_pa: bool = True, **kwargs):
        # Issue 15, item 6: a PA's own caseload has no Personal Adviser column (it would be them).
        super().__init__(SortedByTheDatabase(list(rows)), exclude=() if show_pa else ("pa",), **kwargs)
        if self.order_by:
            self.caption = f"Young people, sorted by {self.columns[self.order_by[0].bare].header.lower()}"

    def render_name(self, record, value):
        badges = []
        if record.vulnerable:
            badges.append(("text-bg-dark", "", "Vulnerable"))
        if getattr(record, "plan_not_shared", False):  # issue 13, item 4 (P4)
            badges.append(("text-bg-warning", "The signed-off pathway plan is not yet shared with the young person",  # P4
                           "Plan not shared"))
        if getattr(record, "birthday_check_due", False):
            badges.append(("text-bg-info", "Record the in-touch check around the birthday (SSDA903)", "Birthday check due"))
        return format_html(
            '<a href="{}">{}</a>{}', reverse("young_person", args=[record.pk]), value,
            format_html_join("", ' <span class="badge {}"{}>{}</span>', (
                (css, format_html(' title="{}"', title) if title else "", label) for css, title, label in badges)),
        )

    def render_age(self, record):
        return record.age

    def render_next_code(self, value):
        return requirement_label(value) or "—"

    def render_due(self, record, value):
        if not record.next_in_absence:
            return date_filter(value, DATE)
        return format_html(
            '{} <span class="badge text-bg-warning" title="{}">During absence</span>', date_filter(value, DATE),
            "Due during the PA's planned absence: bring it forward")  # V5

    def render_status(self, record):
        return status_badge(record.next_status if record.next_code else None)
