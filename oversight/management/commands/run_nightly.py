import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from oversight.services import nightly_run


class Command(BaseCommand):
    help = (
        "The nightly compliance run (what Celery beat runs): recompute every requirement, snapshot the "
        "counts and raise and send alerts. Runs once per night: a second run for the same date does nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="The night to run for, YYYY-MM-DD (default today, London time).")

    def handle(self, *args, **options):
        as_of = None
        if options["as_of"]:
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise CommandError(f"--as-of: not a date (YYYY-MM-DD): {options['as_of']}") from exc
        result = nightly_run(as_of=as_of, worker="manage.py run_nightly")
        if not result.ran:
            self.stdout.write(f"Night {result.night.isoformat()} already {result.state or 'claimed'}: nothing to do.")
            return
        if result.missed_nights:
            self.stderr.write(
                f"No completed run on {len(result.missed_nights)} night(s): "
                + ", ".join(d.isoformat() for d in result.missed_nights)
            )
        self.stdout.write(
            f"Night {result.night.isoformat()}: {result.requirements} requirements, {result.snapshot_rows} snapshot rows, "
            f"{result.alerts_raised} alerts raised, {result.alerts_sent} sent."
        )
