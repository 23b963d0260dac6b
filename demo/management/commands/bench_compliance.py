import json

from django.core.management.base import BaseCommand

from demo.bench import INCREMENTAL_SAMPLES, PAGE_RUNS, RECOMPUTE_RUNS, run_benchmark


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Benchmark the compliance engine (full and incremental recompute against a plain-SQL floor) and the "
        "pages (time and query count) on the configured database; prints one JSON object. Generates a "
        "synthetic service first when fewer young people are recorded than asked, unless --reuse."
    )

    def add_arguments(self, parser):
        parser.add_argument("--young-people", type=_positive, default=10_000, metavar="N", help="default 10000")
        parser.add_argument("--reuse", action="store_true", help="measure what is recorded; never generate")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--page-runs", type=_positive, default=PAGE_RUNS)
        parser.add_argument("--recompute-runs", type=_positive, default=RECOMPUTE_RUNS)
        parser.add_argument("--incremental-samples", type=_positive, default=INCREMENTAL_SAMPLES)

    def handle(self, *args, young_people: int, reuse: bool, seed: int, page_runs: int, recompute_runs: int,
               incremental_samples: int, **options):
        results = run_benchmark(
            young_people=young_people, reuse=reuse, seed=seed, page_runs=page_runs, recompute_runs=recompute_runs,
            incremental_samples=incremental_samples, log=self.stderr.write,
        )
        self.stdout.write(json.dumps(results, indent=2))
