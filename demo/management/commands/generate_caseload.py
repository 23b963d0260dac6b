from django.core.management.base import BaseCommand, CommandError

from demo.generator import generate_caseload


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Write a realistic synthetic service (teams of 8 PAs with about 25 young people each, about 50 "
        "contacts per young person over two years, every circumstance and arrangement, plans, events) "
        "with bulk inserts (COPY on PostgreSQL), then recompute everyone's requirements. "
        "For benchmarks and demos, never for a live service."
    )

    def add_arguments(self, parser):
        parser.add_argument("--young-people", type=_positive, required=True, metavar="N")
        parser.add_argument("--seed", type=int, default=1, help="same seed, same service (default 1)")

    def handle(self, *args, young_people: int, seed: int, **options):
        try:
            result = generate_caseload(young_people=young_people, seed=seed, log=self.stdout.write)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for name, count in sorted(result.rows.items()):
            self.stdout.write(f"{name}: {count}")
        self.stdout.write(self.style.SUCCESS(
            f"Generated {result.young_people} young people and {result.contacts} contacts in {result.seconds:.1f} s; "
            f"full recompute {result.recompute_seconds:.1f} s."
        ))
