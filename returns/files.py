"""How the return files are written: DfE dates and CSV text whose every cell goes through
core.spreadsheets.safe_cell (a value a spreadsheet would run as a formula is made inert)."""

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from core.spreadsheets import safe_cell


def dmy(day: dt.date | None) -> str:
    """A date as the DfE and Ofsted files write it: dd/mm/YYYY (blank when there is none)."""
    return day.strftime("%d/%m/%Y") if day else ""


def csv_write(path: Path, columns: Sequence[str], rows: Iterable[dict[str, str]]) -> None:
    """The same bytes as csv_text, written to `path` row by row (issue 16: no whole file held as text)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows({column: safe_cell(value) for column, value in row.items()} for row in rows)


def csv_text(columns: Sequence[str], rows: Iterable[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({column: safe_cell(value) for column, value in row.items()} for row in rows)
    return out.getvalue()
