"""`python manage.py export_returns --year YYYY --out DIR` (CONTRACT "Returns", X1, X2), and
`--annex-a-as-at YYYY-MM-DD` for Ofsted's Annex A list 9 as at that day (the day an inspection is announced)."""

import datetime as dt
import tempfile
from argparse import ArgumentTypeError
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from returns.annex_a import annex_a_as_at
from returns.exports import returns_write
from returns.files import csv_write


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        msg = f"{value!r} is not a date YYYY-MM-DD."
        raise ArgumentTypeError(msg) from error


class Command(BaseCommand):
    help = ("Write header.csv, oc3.csv (SSDA903 care leavers) and annex_a_list9.csv (Ofsted) for the year from 1 April YYYY; "
            "with --annex-a-as-at, annex_a_list9_as_at_YYYY-MM-DD.csv (Ofsted Annex A list 9 as at that day).")

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="Collection year: the one starting on 1 April YYYY.")
        parser.add_argument("--annex-a-as-at", type=iso_date, dest="as_at", metavar="YYYY-MM-DD",
                            help="Also (or only) write Annex A list 9 as at this day (today at the latest).")
        parser.add_argument("--out", required=True, help="Directory to write the files into (created if needed).")

    def handle(self, *args, year: int | None, as_at: dt.date | None, out: str, **options):
        if year is None and as_at is None:
            raise CommandError("Give --year YYYY (the three return files), --annex-a-as-at YYYY-MM-DD, or both.")
        if year is not None and not 2000 <= year <= 2100:  # noqa: PLR2004  (a plausible collection year)
            raise CommandError(f"--year {year} is not a collection year (expected e.g. 2025 for 2025-26).")
        if as_at is not None and as_at > timezone.localdate():
            raise CommandError(f"--annex-a-as-at {as_at.isoformat()} is in the future: Annex A is as at today or earlier.")
        directory = Path(out)
        if directory.exists() and not directory.is_dir():
            raise CommandError(f"--out {out} exists and is not a directory.")
        if year is not None:
            self._write_year(year, directory)
        if as_at is not None:
            self._write_as_at(as_at, directory)

    def _write_year(self, year: int, directory: Path) -> None:
        # Issue 16: the files are written a chunk of young people at a time; who lacks data is kept in a
        # temporary file meanwhile and said after the counts, as before.
        with tempfile.TemporaryFile("w+", encoding="utf-8") as lacking:
            def note(yp, messages: list[str]) -> None:
                lacking.writelines(f"{yp.ref}: {message}\n" for message in messages)

            written = returns_write(year, directory, lacking=note)
            for path in written.paths:
                self.stdout.write(str(path))
            self.stdout.write(
                f"{written.oc3} young people in oc3.csv and header.csv, {written.annex_a} in annex_a_list9.csv; "
                f"{written.lacking} lack data."
            )
            lacking.seek(0)
            if self.stderr.isatty():  # each line in the error style, as the command always wrote them
                for line in lacking:
                    self.stderr.write(line.removesuffix("\n"))
            else:
                while block := lacking.read(1 << 16):
                    self.stderr.write(block, ending="")

    def _write_as_at(self, day: dt.date, directory: Path) -> None:
        annex = annex_a_as_at(day)
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / annex.file_name
        csv_write(path, annex.labels.columns, annex.rows)  # row by row: the same bytes as annex.csv()
        self.stdout.write(str(path))
        self.stdout.write(f"{len(annex.rows)} young people in {annex.file_name} (wording of {annex.labels.year}-"
                          f"{str(annex.labels.year + 1)[2:]}).")
