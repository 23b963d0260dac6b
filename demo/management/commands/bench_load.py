from django.core.management.base import BaseCommand, CommandError

from careleavers.models import YoungPerson
from demo.loadbench import cpu_table, run_cpu, run_load, summary_table


class Command(BaseCommand):
    help = (
        "Load benchmark (issue 16): serve the app with gunicorn under production settings and drive every page "
        "and export with wrk on loopback, signed in as each persona, at each number of connections; prints "
        "p50/p95/p99, requests per second and each page's p95 as a multiple of the login page's in the same run. "
        "VACUUM ANALYZE first. Measures what is recorded: generate it first (generate_caseload)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--connections", type=int, nargs="+", default=[8, 32])
        parser.add_argument("--seconds", type=int, default=20, help="per page and connection count (default 20)")
        parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--cpu", type=int, metavar="N", default=0,
                            help="instead of wrk: CPU per request (one worker's and its database backends'), over N "
                                 "requests a page in a row; holds on a loaded machine (use a database of your own)")
        parser.add_argument("--late-page", type=int, default=2000, help="the Service Leader's late page (default 2000)")

    def handle(self, *args, connections, seconds, workers, port, late_page, cpu, **options):
        young_people = YoungPerson.objects.count()
        if not young_people:
            raise CommandError("No young people recorded: run generate_caseload first.")
        late_page = min(late_page, max(1, young_people // 25))
        if cpu:
            try:
                cpu_results = run_cpu(requests=cpu, port=port, late_page=late_page, log=self.stderr.write)
            except RuntimeError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(cpu_table(cpu_results, young_people=young_people))
            return
        try:
            results = run_load(connections=connections, seconds=seconds, workers=workers, port=port,
                               late_page=late_page, log=self.stderr.write)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(summary_table(results, young_people=young_people))
