"""CSV and Excel downloads of the dashboards' lists: the same rows the page shows, unpaginated."""

import csv
import datetime as dt
import io

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from core.spreadsheets import finish_sheet, safe_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(value) -> str:
    """A cell as text for CSV; text that a spreadsheet would run as a formula is quoted (core.spreadsheets)."""
    if type(value) is int:  # issue 16: most cells are counts; a number is never quoted (core.spreadsheets)
        return str(value)
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(safe_cell(str(value)))


def csv_response(filename: str, headers: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    # Written to a buffer and handed to the response once (issue 16: HttpResponse.write per row, 500 teams).
    buffer = io.StringIO()
    buffer.write("\ufeff")  # so Excel reads UTF-8 names correctly
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows([_text(v) for v in row] for row in rows)
    response.write(buffer.getvalue())
    return response


class _Line:
    """A file that hands back what is written to it, so csv.writer makes one line at a time."""

    def write(self, value: str) -> str:
        return value


def csv_stream_response(filename: str, headers: list[str], chunks) -> StreamingHttpResponse:
    """A CSV sent as it is read (issue 16): `chunks` yields lists of rows, so the first bytes leave
    before the last row is read and memory holds one chunk, whatever the length of the list."""
    writer = csv.writer(_Line())

    def lines():
        yield "\ufeff" + writer.writerow(headers)  # the BOM, so Excel reads UTF-8 names correctly
        for rows in chunks:
            yield "".join(writer.writerow([_text(v) for v in row]) for row in rows)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(filename: str, headers: list[str], rows, *, title: str = "") -> HttpResponse:
    book = Workbook()
    sheet = book.active
    sheet.title = (title or filename)[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([v if isinstance(v, int | float | dt.date) or v is None else _text(v) for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, dt.date):
                cell.number_format = "DD/MM/YYYY"
    finish_sheet(sheet)  # issue 15, item 7: widths to content, autofilter, frozen header
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
