import csv
import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from compliance.selectors import report_rows

COLUMNS = ["young_person", "requirement", "last_met", "due", "status", "days_overdue"]


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--as-of: {value!r} is not a date (expected YYYY-MM-DD)") from exc


class Command(BaseCommand):
    help = "Print every requirement that applies on a date, with its due date and status (CONTRACT.md)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=str, default=None, help="YYYY-MM-DD; default today")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, as_of: str | None, **options):
        day = _date(as_of) if as_of else timezone.localdate()
        rows = report_rows(day)
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, indent=1))
        else:
            writer = csv.DictWriter(self.stdout, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows({**row, "last_met": row["last_met"] or ""} for row in rows)
