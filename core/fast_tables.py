"""A django-tables2 table rendered to the markup of templates/includes/table.html in Python (issue 16).

The template engine walks every cell of a table: a tag per attribute, a lookup per value, and django-tables2's
own `call_with_appropriate`, which inspects the render method's signature for every cell. On the dashboards
(a hundred rows of six to twelve columns) that was most of the page's CPU. This renders the same HTML, with
the same values (django-tables2's own `BoundRow._get_and_render_with` picks each value: accessors, choices'
display, empty values and defaults), but looks at each column once: its attributes, its header and footer, and
which arguments its render method takes.

For tables that do not sort or paginate themselves (the dashboards'); anything else falls back to django-tables2.
`tests/core/test_fast_tables.py` checks the output against the template's for each table that uses it.
"""

import html
import inspect
from functools import cache
from itertools import count
from types import SimpleNamespace

from django.conf import settings
from django.template.loader import get_template
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime
from django_tables2.rows import BoundRow
from django_tables2.utils import AttributeDict

_CELL_ARGUMENTS = ("value", "record", "column", "bound_column", "bound_row", "table")


def _text(value) -> str:
    """As `{{ value }}` in a template: localised, then escaped unless already safe. Text and whole numbers (most
    cells) take the short way: localising leaves text as it is, and a whole number as its digits while no thousand
    separator is asked for (issue 16: a few hundred cells a page)."""
    kind = type(value)
    if kind is SafeString:  # what conditional_escape gives back for it (its __html__)
        return value
    if kind is str:  # conditional_escape's escape, without its wrappers (a few hundred cells a page)
        return html.escape(value)
    if kind is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    return conditional_escape(localize(template_localtime(value)))


def _arguments(function) -> tuple[str, ...] | None:
    """The cell arguments a render method takes (None: it takes **kwargs, so all of them)."""
    return _arguments_of(getattr(function, "__func__", function))


@cache
def _arguments_of(function) -> tuple[str, ...] | None:
    parameters = inspect.signature(function).parameters.values()
    if any(p.kind == p.VAR_KEYWORD for p in parameters):
        return None
    names = {p.name for p in parameters}
    return tuple(a for a in _CELL_ARGUMENTS if a in names)


def render_table(table) -> SafeString:
    """The table's HTML, as templates/includes/table.html renders it."""
    if getattr(table, "page", None) is not None or any(c.orderable for c in table.columns):
        return get_template(table.template_name).render({"table": table})  # django-tables2's own way
    table._counter = count()  # noqa: SLF001  (rows numbered from the first, odd and even, as Table.as_html does)
    return _render(table, _plan_of(table), table.attrs, list(table.rows))


def render_tables(table, groups) -> list[SafeString]:
    """Tables of one class and the same columns, each with its own records and attributes (`groups`: (records, attrs)
    pairs), as `render_table(type(table)(records, attrs=attrs))` renders each, but with the columns of `table` worked
    out once and no django-tables2 table built per group (issue 16: the team page has a table per Personal Adviser,
    and building each table and its columns cost more than writing its rows). `table` must give its rows' cells
    itself (`cell_values`); each group's attributes are the table's own but for the <table> tag's, so they must not
    change the cells' (th, td, tf, cell), which the columns were worked out from."""
    if getattr(table, "cell_values", None) is None:
        raise TypeError("render_tables needs a table that gives its rows' cells (cell_values)")
    plan = _plan_of(table)
    footer = _footer(plan, table) if table.show_footer else None  # the same table's footer for every group
    rendered = []
    for records, attrs in groups:
        if any(attrs.get(part) != table.attrs.get(part) for part in ("th", "td", "tf", "cell")):
            raise ValueError("render_tables: a group's attributes would change its cells'")
        table._counter = count()  # noqa: SLF001  (each table numbers its rows from the first, as a table of its own)
        rows = [BoundRow(record, table=table) for record in records]
        rendered.append(_render(table, plan, AttributeDict(attrs), rows, footer))
    return rendered


def _plan(table) -> list:
    return [_Column(column, header=column.name == getattr(table, "row_header", None)) for column in table.columns]


def _plan_of(table) -> list:
    """The table's plan, worked out once per process for a table that says its columns are those of every table
    with the same `plan_key()`: the same headers, attributes and footers, or footers it gives itself
    (`footer_values`). Issue 16: each column's attributes were worked out again on every request. Only a table that
    gives its rows' cells (`cell_values`) may: the plan's columns are then never read for another table's values."""
    key = getattr(table, "plan_key", None)
    if key is None:
        return _plan(table)
    if getattr(table, "cell_values", None) is None:
        raise TypeError("a table with a plan_key must give its rows' cells (cell_values)")
    found = _PLANS.get(key())
    if found is None:
        footers = not hasattr(table, "footer_values")
        found = _PLANS[key()] = [_Kept(c, footer=footers) for c in _plan(table)]
    return found


class _Kept:
    """A plan's column as `_plan_of` keeps it: its attributes, its header and (unless the table gives its footers) its
    footer, without the column itself, so that no request's table and rows stay behind in the process."""

    def __init__(self, planned: "_Column", *, footer: bool):
        self.th, self.td, self.tf, self.tag, self.scope = planned.th, planned.td, planned.tf, planned.tag, planned.scope
        self.column = SimpleNamespace(header=planned.column.header, footer=planned.column.footer if footer else None)


#: `_plan_of`'s plans, by plan_key: a handful of tables.
_PLANS: dict = {}


#: A row's attributes when the table sets none of its own (row_attrs): what BoundRow.attrs renders, odd and even.
_PLAIN_ROW = ('class="even"', 'class="odd"')


def _footer(plan: list, table) -> str:
    """The footer's cells: the table's own `footer_values()` when it gives them, in its columns' order, else each
    column's footer as django-tables2 works it out (through the footer's signature, a dozen times a table)."""
    values = table.footer_values() if hasattr(table, "footer_values") else [c.column.footer for c in plan]
    return "".join(f"      <{c.tag} {c.tf}{c.scope}>{_text(value)}</{c.tag}>\n"
                   for c, value in zip(plan, values, strict=True))


def _render(table, plan: list, attrs, rows: list, footer: str | None = None) -> SafeString:
    table_attrs = AttributeDict({"class": "table"})
    table_attrs.update(attrs)
    out = [format_html('<div class="{}">\n', "table-responsive" if getattr(table, "responsive", False) else "table-container"),
           format_html("<table {}>\n", table_attrs.as_html())]
    if getattr(table, "caption", None):
        out.append(format_html('  <caption class="visually-hidden">{}</caption>\n', table.caption))
    if table.show_header:
        out.append(f"  <thead {_attrs(attrs, 'thead')}>\n    <tr>\n")
        out.extend(f'      <th {c.th} scope="col">\n        {_text(c.column.header)}\n      </th>\n' for c in plan)
        out.append("    </tr>\n  </thead>\n")
    out.append(f"  <tbody {_attrs(attrs, 'tbody')}>\n")
    # A table may give each row's cell values itself, in its columns' order, as django-tables2 would pick and render
    # them (`cell_values(record)`): then no cell goes through django-tables2 at all.
    values = getattr(table, "cell_values", None)
    plain = not table.row_attrs  # issue 16: then a row's attributes are its odd or even class, not worked out per row
    for row in rows:
        row_attrs = _PLAIN_ROW[row.row_counter % 2] if plain and type(row) is BoundRow else row.attrs.as_html()
        out.append(f"    <tr {row_attrs}>\n")
        cells = values(row.record) if values is not None else [c.cell(row) for c in plan]
        out.extend(f"      <{c.tag} {c.td}{c.scope}>{_text(cell)}</{c.tag}>\n" for c, cell in zip(plan, cells, strict=True))
        out.append("    </tr>\n")
    if not rows and table.empty_text:
        out.append(format_html('    <tr><td colspan="{}">{}</td></tr>\n', len(plan), table.empty_text))
    out.append("  </tbody>\n")
    if table.show_footer:
        out.append(f'  <tfoot {_attrs(attrs, "tfoot")}>\n    <tr class="fw-semibold">\n')
        out.append(_footer(plan, table) if footer is None else footer)
        out.append("    </tr>\n  </tfoot>\n")
    out.append("</table>\n</div>\n")
    return SafeString("".join(out))  # nosec B703  (every value above is escaped by _text or format_html, or safe)


class _Column:
    """What a column's cells share, worked out once: its attributes, its render method and that method's arguments."""

    def __init__(self, column, *, header: bool):
        self.column = column
        self.render = column.render
        self.arguments = _arguments(self.render)
        attrs = column.attrs
        self.th, self.td, self.tf = attrs["th"].as_html(), attrs["td"].as_html(), attrs["tf"].as_html()
        self.tag, self.scope = ("th", ' scope="row"') if header else ("td", "")

    def cell(self, row):
        """The cell's content: the value as django-tables2 picks it (accessor, choices' display, empty values and
        default), rendered by the column's render method called with the arguments it takes."""
        if self.column.link:
            return row.get_cell(self.column.name)

        def call(bound_column, value=None):
            given = {"value": value, "record": row.record, "column": bound_column.column, "bound_column": bound_column,
                     "bound_row": row, "table": row.table}
            return self.render(**(given if self.arguments is None else {a: given[a] for a in self.arguments}))

        return row._get_and_render_with(self.column, render_func=call, default=self.column.default)  # noqa: SLF001


def _attrs(attrs, part: str) -> str:
    value = attrs.get(part) if attrs else None
    return AttributeDict(value).as_html() if value else ""
