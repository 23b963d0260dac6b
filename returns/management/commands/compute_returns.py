"""`python manage.py compute_returns [--year YYYY]` (issue 16, item 2): works out the returns and stores
them for the Returns page, as the nightly run's task does (by default the last year that has ended and this one)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from returns.computed import returns_compute, years_due


class Command(BaseCommand):
    help = "Work out the returns for the Returns page and store them (the nightly run's task, run now)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="Collection year: the one starting on 1 April YYYY.")

    def handle(self, *args, year: int | None, **options):
        if year is not None and not 2000 <= year <= 2100:  # noqa: PLR2004  (a plausible collection year)
            raise CommandError(f"--year {year} is not a collection year (expected e.g. 2025 for 2025-26).")
        for y in [year] if year is not None else years_due(timezone.localdate()):
            computation = returns_compute(year=y, run="manage.py compute_returns")
            self.stdout.write(f"{y}-{str(y + 1)[2:]}: {computation.oc3_count} in the care leaver table, "
                              f"{computation.annex_a_count} in Annex A, {computation.lacking_count} lack data.")
