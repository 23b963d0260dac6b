import json

from django.core.management.base import BaseCommand

from demo.bench_import import run_import_benchmark
from demo.management.commands.bench_compliance import _positive


class Command(BaseCommand):
    help = (
        "Issue 16, item 4: generate a large council's case bundle (default 5000 young people, 250000 contacts) "
        "in a temporary file, run import_cases on it and again unchanged, each in a child process; prints one "
        "JSON object with the wall time and peak memory of each. Use an empty database of its own."
    )

    def add_arguments(self, parser):
        parser.add_argument("--young-people", type=_positive, default=5_000, metavar="N")
        parser.add_argument("--contacts", type=_positive, default=250_000, metavar="N")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, young_people: int, contacts: int, seed: int, **options):
        results = run_import_benchmark(young_people=young_people, contacts=contacts, seed=seed,
                                       log=self.stderr.write)
        self.stdout.write(json.dumps(results, indent=2))
