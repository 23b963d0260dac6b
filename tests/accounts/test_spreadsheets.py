"""Formula-looking cells are made inert in every CSV and spreadsheet the app writes (core.spreadsheets)."""

import datetime as dt

import pytest

from core.spreadsheets import safe_cell
from returns.exports import _csv


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1",
                                  "\n=1"])
def test_formula_looking_text_is_quoted(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Jamie", "", "-3", "+12", "2.5", 7, -7, 1.5, None, dt.date(2026, 1, 2), True])
def test_everything_else_is_unchanged(value):
    assert safe_cell(value) == value


def test_returns_csv_cells_are_quoted():
    text = _csv(["CHILD", "UPN"], [{"CHILD": "=1+1", "UPN": "A123"}])
    assert text.splitlines()[1] == "'=1+1,A123"
