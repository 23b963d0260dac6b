"""`python manage.py export_returns --year YYYY --out DIR` (CONTRACT "Returns", X1, X2)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from returns.exports import build_returns


class Command(BaseCommand):
    help = "Write header.csv, oc3.csv (SSDA903 care leavers) and annex_a_list9.csv (Ofsted) for the year from 1 April YYYY."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="Collection year: the one starting on 1 April YYYY.")
        parser.add_argument("--out", required=True, help="Directory to write the three files into (created if needed).")

    def handle(self, *args, year: int, out: str, **options):
        if not 2000 <= year <= 2100:
            raise CommandError(f"--year {year} is not a collection year (expected e.g. 2025 for 2025-26).")
        directory = Path(out)
        if directory.exists() and not directory.is_dir():
            raise CommandError(f"--out {out} exists and is not a directory.")
        returns = build_returns(year)
        for path in returns.write(directory):
            self.stdout.write(str(path))
        self.stdout.write(
            f"{len(returns.oc3)} young people in oc3.csv and header.csv, {len(returns.annex_a)} in annex_a_list9.csv; "
            f"{len(returns.lacking)} lack data."
        )
        for yp, messages in returns.lacking:
            for message in messages:
                self.stderr.write(f"{yp.ref}: {message}")
