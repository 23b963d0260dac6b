"""Issue 15, item 7: exported sheets have columns sized to their content, an autofilter and a frozen header."""

import datetime as dt
import io

from openpyxl import Workbook, load_workbook

from core.spreadsheets import MAX_COLUMN_WIDTH, finish_sheet
from oversight.exports import xlsx_response


def test_columns_sized_to_content_with_autofilter_and_frozen_header():
    book = Workbook()
    sheet = book.active
    sheet.append(["Young person", "Due", "Note"])
    sheet.append(["Maya Hussain-Richardson", dt.date(2026, 12, 1), "x" * 200])
    sheet.append(["Al", dt.date(2026, 1, 1), "short"])
    finish_sheet(sheet)
    assert sheet.column_dimensions["A"].width == len("Maya Hussain-Richardson") + 2
    assert sheet.column_dimensions["B"].width == len("Due") + 2 + 7  # a date shows as DD/MM/YYYY
    assert sheet.column_dimensions["C"].width == MAX_COLUMN_WIDTH
    assert sheet.auto_filter.ref == "A1:C3"
    assert sheet.freeze_panes == "A2"


def test_dashboard_export_is_finished_the_same_way():
    response = xlsx_response("items", ["Team", "Young person"], [("North Team", "Maya Hussain")], title="Items")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.auto_filter.ref == "A1:B2"
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == len("North Team") + 2
    assert sheet.column_dimensions["B"].width == len("Maya Hussain") + 2
