"""Cells for CSV files and spreadsheets the app writes: text a spreadsheet would run as a formula is
made inert (OWASP "CSV injection": a leading =, +, -, @, tab, carriage return or line feed).

A leading apostrophe makes Excel and LibreOffice show the text as typed. Numbers, dates and None are
left alone, and so is text that is just a number ("-3", "+44 20 7946 0000" is not: it has a space)."""

import datetime as dt
import re
from decimal import Decimal

from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def safe_cell(value):
    """`value` unchanged unless it is text that starts like a formula; then the text behind an apostrophe."""
    if value is None or isinstance(value, bool | int | float | Decimal | dt.date | dt.datetime | dt.time):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


#: issue 15, item 7: the widest a column grows (in characters) however long its longest cell.
MAX_COLUMN_WIDTH = 60


def _shown_width(value) -> int:
    """How many characters a cell shows: dates as DD/MM/YYYY, numbers and text as written."""
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def finish_sheet(sheet) -> None:
    """issue 15, item 7: every exported sheet the same way: each column as wide as its content (header included,
    up to MAX_COLUMN_WIDTH), an autofilter over the header and rows, and the header row frozen."""
    widths: dict[int, int] = {}
    for row in sheet.iter_rows():
        for cell in row:
            widths[cell.column] = max(widths.get(cell.column, 0), _shown_width(cell.value))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, MAX_COLUMN_WIDTH)
    if sheet.max_row >= 1 and sheet.max_column >= 1 and widths:
        sheet.auto_filter.ref = sheet.dimensions
    sheet.freeze_panes = "A2"
