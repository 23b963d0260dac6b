"""How the return files are written: DfE dates and CSV text whose every cell goes through
core.spreadsheets.safe_cell (a value a spreadsheet would run as a formula is made inert)."""

import csv
import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

from core.spreadsheets import FORMULA_STARTS, safe_cell


@lru_cache(maxsize=8192)  # issue 16: hundreds of thousands of dates a file, a few thousand different ones
def dmy(day: dt.date | None) -> str:
    """A date as the DfE and Ofsted files write it: dd/mm/YYYY (blank when there is none)."""
    return day.strftime("%d/%m/%Y") if day else ""


#: A cell that starts like a formula, in a row's cells joined by NUL: a match sends the row through safe_cell.
_FORMULA_START = re.compile("(?:^|\x00)[" + re.escape("".join(FORMULA_STARTS)) + "]")


class _Lines(list):
    """A file that keeps what is written to it, so the csv writer makes the lines of many rows in one call."""

    def write(self, value: str) -> None:
        self.append(value)


class CsvLines:
    """The one CSV writer of the return files (issue 16: a file is written, or sent, a chunk of rows at a
    time, never held whole): `header()` is the first line, `rows(rows)` the lines of some rows."""

    def __init__(self, columns: Sequence[str]):
        self.columns = list(columns)
        self._getter = itemgetter(*self.columns) if len(self.columns) > 1 else lambda row: (row[self.columns[0]],)
        self._lines = _Lines()
        self._writer = csv.writer(self._lines, lineterminator="\r\n")

    def header(self) -> str:
        self._writer.writerow(self.columns)
        text = "".join(self._lines)
        self._lines.clear()
        return text

    def rows(self, rows: Iterable[dict[str, str]]) -> str:
        """The rows' lines, each row's cells in the order of the columns (a missing one blank, as csv.DictWriter
        writes it). A row of text none of whose cells starts like a formula is written as it is, found with one
        search of its joined cells (issue 16: two million cells in the 100 000 service's files); any other row
        goes through safe_cell cell by cell."""
        columns, getter, lines = self.columns, self._getter, []
        for row in rows:
            try:
                values = getter(row)
                if _FORMULA_START.search("\x00".join(values)) is None:
                    lines.append(values)
                    continue
            except (KeyError, TypeError):  # a missing column, or a cell that is not text
                values = [row.get(column, "") for column in columns]
            lines.append([safe_cell(value) for value in values])
        self._writer.writerows(lines)
        text = "".join(self._lines)
        self._lines.clear()
        return text


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
