"""The caseload table (V4, V5, X1): django-tables2 gives the columns, their headings, sorting and the sort links;
the rows are written in one pass here (templates/careleavers/_caseload_table.html), not cell by cell through
django-tables2's per-cell rendering, which cost most of the page's time (issue 16: about 5 ms of Python a cell
row by row at 25 rows, measured with cProfile).

The rows are one page of casework.filters.CaseloadPaginator, already sorted by the database (most
urgent first, or by the column asked for): the table shows the sort but never re-sorts the page.
"""

import html
from functools import lru_cache

import django_tables2 as tables
from django.http import QueryDict
from django.urls import reverse
from django.utils.functional import Promise, cached_property
from django.utils.html import conditional_escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django_tables2.data import TableListData

from careleavers.models import YoungPerson
from compliance.templatetags.leaving_care import requirement_label, status_badge
from core.dates import british
from core.reflow import DUE, NAME, STATUS, first_on_phone
from core.templatetags.words import midsentence

# Constant markup, and each row's cells joined from escaped values and these (SafeString: nothing to escape).
VULNERABLE = SafeString(' <span class="badge text-bg-dark">Vulnerable</span>')
PLAN_NOT_SHARED = SafeString(  # issue 13, item 4 (P4)
    ' <span class="badge text-bg-warning" title="The signed-off pathway plan is not yet shared with the young person'
    '">Plan not shared</span>')
BIRTHDAY_CHECK = SafeString(
    ' <span class="badge text-bg-info" title="Record the in-touch check around the birthday (SSDA903)">'
    'Birthday check due</span>')
IN_ABSENCE = SafeString(  # V5
    ' <span class="badge text-bg-warning" title="Due during the PA&#x27;s planned absence: bring it forward">'
    'During absence</span>')
NONE = "—"


#: A pk no young person has, standing for theirs in the reversed URL (CaseloadTable.html_rows).
PK_MARK = 987654321987


def _escaped(value) -> str:
    """conditional_escape's result without its layers (issue 16: format_html's escape, wrapped by keep_lazy, was most
    of writing a page's rows): what has __html__ is already markup, anything else is escaped as Django escapes."""
    if isinstance(value, Promise):
        value = str(value)
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def fast_format_html(format_string: str, *values) -> SafeString:
    """format_html's markup, byte for byte (tests/casework/test_tables.py compares the two)."""
    return SafeString(format_string.format(*map(_escaped, values)))  # nosec B703  (every value escaped)


@lru_cache(maxsize=1)
def _circumstance_labels() -> dict:
    """What YoungPerson.get_circumstance_display gives for each circumstance (issue 16: Django's makes a dict of the
    field's choices, each made hashable, on every call: a fifth of writing a page's rows)."""
    return {value: str(label) for value, label in YoungPerson._meta.get_field("circumstance").flatchoices}


@lru_cache(maxsize=8)
def _badge(status: str | None) -> SafeString:
    """The status badge (compliance's status_badge), the same few for every row."""
    return status_badge(status)


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
    next_code = tables.Column(verbose_name="Most urgent", default=NONE, orderable=False)
    due = tables.Column(verbose_name="Due", accessor="next_due", default=NONE, attrs=first_on_phone(DUE))
    status = tables.Column(verbose_name="Status", accessor="next_status", empty_values=(), attrs=first_on_phone(STATUS))

    caption = "Young people, most urgent first"
    responsive = True

    class Meta:
        template_name = "careleavers/_caseload_table.html"
        attrs = {"class": "table table-sm table-hover align-middle"}
        orderable = True

    def __init__(self, rows, *, show_pa: bool = True, **kwargs):
        # Issue 15, item 6: a PA's own caseload has no Personal Adviser column (it would be them).
        super().__init__(SortedByTheDatabase(list(rows)), exclude=() if show_pa else ("pa",), **kwargs)
        self.show_pa = show_pa
        if self.order_by:
            self.caption = f"Young people, sorted by {self.columns[self.order_by[0].bare].header.lower()}"

    @classmethod
    def layout(cls, *, order_by: str | None, show_pa: bool) -> "CaseloadLayout":
        """What the page's markup needs of the table for this sort and column set, worked out once per process
        (issue 16: django-tables2 deep-copies and binds its columns for every table made, a tenth of a page)."""
        return _layout(order_by, show_pa=show_pa)

    def html_header(self, query: QueryDict) -> list[SafeString]:
        return CaseloadLayout.of(self).html_header(query)

    def html_rows(self) -> list[tuple[str, SafeString]]:
        return CaseloadLayout.of(self).html_rows(self.data)


class CaseloadLayout:
    """A CaseloadTable's columns as the page writes them: the caption, each column's heading (its <th> attributes,
    whether and which way it is sorted, the sort it links to) and each row's cells (their <td> attributes). Taken from
    a CaseloadTable; none of it depends on the rows."""

    def __init__(self, caption: str, headings: list[tuple], row_format: str, order_by_field: str, page_field: str):
        self.caption = caption
        self.headings = headings
        self.row_format = row_format
        self.order_by_field = order_by_field
        self.page_field = page_field
        self.show_pa = "pa" in {name for name, *_ in headings}

    @classmethod
    def of(cls, table: "CaseloadTable") -> "CaseloadLayout":
        headings = [(column.name, column.header, column.orderable, column.is_ordered,
                     column.order_by_alias.is_descending, column.order_by_alias.next if column.orderable else None,
                     column.attrs["th"].as_html()) for column in table.columns]

        def cell(name: str, values: int = 1) -> str:
            attrs = table.columns[name].attrs["td"].as_html().replace("{", "{{").replace("}", "}}")
            return f"<td {attrs}>" + "{}" * values + "</td>"

        row_format = "".join([
            cell("name", 2), cell("ref"), cell("age"), *([cell("pa")] if table.show_pa else []),  # name: link, badges
            cell("circumstance"), cell("next_code"), cell("due", 2), cell("status"),  # due: the date, absence
        ])
        return cls(str(table.caption), headings, row_format, table.prefixed_order_by_field, table.prefixed_page_field)

    def html_header(self, query: QueryDict) -> list[SafeString]:
        """Each column's <th> for this query string, written once per layout and query (issue 16: the same few
        query strings, an unfiltered page's among them, on most requests; _html_header)."""
        return list(self._html_header(tuple((key, tuple(values)) for key, values in query.lists())))

    @lru_cache(maxsize=256)  # noqa: B019  (the layouts are kept for the process anyway, _layout)
    def _html_header(self, query: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[SafeString, ...]:
        """Each column's <th>, written in one pass with the markup _caseload_table.html gave it (issue 16): a sortable
        heading links to the other direction (the current query string with the sort replaced and the page left
        out, as django-tables2's querystring_replace writes it) and says which way it is sorted (aria-sort)."""
        cells = []
        for _name, header, orderable, ordered, descending, following, th_attrs in self.headings:
            aria = format_html(' aria-sort="{}"', "descending" if descending else "ascending") if ordered else ""
            if orderable:
                params = {key: list(values) for key, values in query}
                params[self.order_by_field] = following
                params.pop(self.page_field, None)
                content = format_html('<a href="{}">{}<span class="visually-hidden">, sort {}</span></a>',
                                      "?" + urlencode(params, doseq=True), header,
                                      "descending" if ordered and not descending else "ascending")
            else:
                content = conditional_escape(header)
            cells.append(format_html('<th {} scope="col"{}>\n        {}\n      </th>', th_attrs, aria, content))
        return tuple(cells)

    def html_rows(self, records) -> list[tuple[str, SafeString]]:
        """Each row's cells (<td>...</td> in the columns' order), written in one pass over the page: the same
        markup django-tables2 gives a cell (its td attrs: data-priority for the stacked layout on a phone). The
        row's markup is one format string made once from the columns' <td> tags (constant, escaped by
        django-tables2), each row's values escaped into it as format_html does (issue 16: one call a row, not one a
        cell)."""
        row_format = self.row_format
        # The young person's URL reversed once for the page: the pk is the only part that changes.
        link = reverse("young_person", args=[PK_MARK])
        rows = []
        for number, record in enumerate(records):
            badges = SafeString("")  # SafeString + SafeString stays safe (a str would be escaped)
            if record.vulnerable:
                badges += VULNERABLE
            if getattr(record, "plan_not_shared", False):
                badges += PLAN_NOT_SHARED
            if getattr(record, "birthday_check_due", False):
                badges += BIRTHDAY_CHECK
            values = [fast_format_html('<a href="{}">{}</a>', link.replace(str(PK_MARK), str(record.pk)), record.name),
                      badges, record.ref, str(record.age)]
            if self.show_pa:
                values.append(record.pa.name if record.pa_id else "Unallocated")
            values += [
                _circumstance_labels().get(record.circumstance, record.circumstance),  # get_circumstance_display
                requirement_label(record.next_code) if record.next_code else NONE,
                NONE if record.next_due is None else british(record.next_due),  # "j M Y", as elsewhere
                IN_ABSENCE if record.next_in_absence and record.next_due else "",
                _badge(record.next_status if record.next_code else None),
            ]
            rows.append((("even", "odd")[number % 2], fast_format_html(row_format, *values)))
        return rows


@lru_cache(maxsize=32)
def _layout(order_by: str | None, *, show_pa: bool) -> CaseloadLayout:
    return CaseloadLayout.of(CaseloadTable([], order_by=order_by, show_pa=show_pa))


class CaseloadRows:
    """What _caseload_table.html reads of the table (its caption and rows) for one page, from the layout."""

    def __init__(self, layout: CaseloadLayout, records):
        self.layout = layout
        self.records = records
        self.caption = layout.caption

    @cached_property
    def html_rows(self) -> list[tuple[str, SafeString]]:
        return self.layout.html_rows(self.records)


COMING_UP_ABSENCE = SafeString('<span class="badge text-bg-warning">During absence</span>')  # V5


def coming_up_items(rows) -> list[SafeString]:
    """What each entry of the caseload's "coming up" list says (casework.filters.coming_up, V2), written in one pass
    with the markup caseload.html gave it: the young person's URL reversed once, each date formatted once (issue 16:
    20 entries through the template's url tag, date filter and lookups were a tenth of a Team Leader's page)."""
    link = reverse("young_person", args=[PK_MARK])
    return [fast_format_html('<a href="{}">{}</a>:\n      {} due {}\n      {}',
                        link.replace(str(PK_MARK), str(r.young_person_id)), r.name,
                        midsentence(r.get_code_display()), british(r.due), COMING_UP_ABSENCE if r.in_absence else "")
            for r in rows]
