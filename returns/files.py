"""How the return files are written: DfE dates and CSV text whose every cell goes through
core.spreadsheets.safe_cell (a value a spreadsheet would run as a formula is made inert)."""

import csv
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from core.spreadsheets import safe_cell


def dmy(day: dt.date | None) -> str:
    """A date as the DfE and Ofsted files write it: dd/mm/YYYY (blank when there is none)."""
    return day.strftime("%d/%m/%Y") if day else ""


class _Line:
    """A file that hands back what is written to it, so the csv writer makes one line at a time."""

    def write(self, value: str) -> str:
        return value


class CsvLines:
    """The one CSV writer of the return files (issue 16: a file is written, or sent, a chunk of rows at a
    time, never held whole): `header()` is the first line, `rows(rows)` the lines of some rows."""

    def __init__(self, columns: Sequence[str]):
        self.columns = list(columns)
        self._writer = csv.DictWriter(_Line(), fieldnames=self.columns, lineterminator="\r\n")

    def header(self) -> str:
        return self._writer.writeheader()

    def rows(self, rows: Iterable[dict[str, str]]) -> str:
        write = self._writer.writerow
        return "".join(write({column: safe_cell(value) for column, value in row.items()}) for row in rows)


def csv_lines(columns: Sequence[str], rows: Iterable[dict[str, str]]) -> Iterator[str]:
    lines = CsvLines(columns)
    yield lines.header()
    for row in rows:
        yield lines.rows((row,))


def csv_write(path: Path, columns: Sequence[str], rows: Iterable[dict[str, str]]) -> None:
    """The same bytes as csv_text, written to `path` row by row (issue 16: no whole file held as text)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.writelines(csv_lines(columns, rows))


def csv_text(columns: Sequence[str], rows: Iterable[dict[str, str]]) -> str:
    return "".join(csv_lines(columns, rows))
