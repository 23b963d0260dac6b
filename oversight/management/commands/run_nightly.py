import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from oversight.models import RunState
from oversight.services import nightly_run


class Command(BaseCommand):
    help = (
        "The nightly compliance run (what Celery beat runs): recompute every requirement, snapshot the "
        "counts (missed nights too, each as of its night) and raise and send alerts. Runs once per night: a second "
        "run for a done night does nothing but send alerts still unsent; a night whose run died is taken over."
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
        night = result.night.isoformat()
        if result.nothing_to_do:
            self.stdout.write(f"Night {night} already done: nothing to do.")
            return
        if not result.ran and result.state == RunState.DONE:
            self.stdout.write(f"Night {night} already done; sent {result.alerts_sent} alert(s) left unsent.")
            return
        if not result.ran:
            # Not "nothing to do": the night's work is not done yet, but a live run is doing it.
            self.stderr.write(
                f"Night {night} is being run by {result.worker or 'another worker'} and is not done yet: "
                "not started again (a run that died gives the night up, and the next run takes it over)."
            )
            return
        if result.missed_nights:
            self.stderr.write(
                f"No completed run on {len(result.missed_nights)} night(s): "
                + ", ".join(d.isoformat() for d in result.missed_nights)
            )
        if result.filled_nights:
            self.stdout.write(
                f"Snapshots filled in for {len(result.filled_nights)} missed night(s), each as of that night."
            )
        self.stdout.write(
            f"Night {night}: {result.requirements} requirements, {result.snapshot_rows} snapshot rows, "
            f"{result.alerts_raised} alerts raised, {result.alerts_sent} sent."
        )
