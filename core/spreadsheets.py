"""Cells for CSV files and spreadsheets the app writes: text a spreadsheet would run as a formula is
made inert (OWASP "CSV injection": a leading =, +, -, @, tab, carriage return or line feed).

A leading apostrophe makes Excel and LibreOffice show the text as typed. Numbers, dates and None are
left alone, and so is text that is just a number ("-3", "+44 20 7946 0000" is not: it has a space)."""

import datetime as dt
import re
from decimal import Decimal

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
