import sys
from pathlib import Path

from django.core.checks import Tags
from django.core.management.base import BaseCommand, CommandError

from interface.bundle import BundleError, import_bundle, parse_bundle
from interface.progress import ProgressBar


class Command(BaseCommand):
    help = "Import a case bundle (CONTRACT.md). Atomic and idempotent; '-' reads standard input."
    # Issue 16, item 4: the checks of what an import uses (models, database); those of serving pages (URLs, which
    # import every view, templates, static files) are 0.6 s of CPU and `manage.py check` and the server run them.
    requires_system_checks = [Tags.models, Tags.database]

    def add_arguments(self, parser):
        parser.add_argument("bundle", help="Path to the bundle JSON file, or - for standard input")
        parser.add_argument(
            "--update-staff", action="store_true",
            help="Let the bundle change an existing staff member's role or team (refused otherwise).",
        )

    def handle(self, *args, bundle: str, update_staff: bool = False, **options):
        # issue 16, item 4: a progress bar on a terminal only; quiet on a pipe or a file
        bar = ProgressBar(lambda text: self.stderr.write(text, ending=""), self.stderr.flush,
                          enabled=self.stderr.isatty())
        try:
            # Issue 16, item 4: no name here holds the text (24 MiB for a council) or the parsed JSON (120 MiB), so
            # each is let go as soon as it is used: the text once parsed, the JSON once import_bundle has checked it.
            summary = import_bundle(parse_bundle(self._read(bundle)), update_staff=update_staff, progress=bar,
                                    shape_checked=True)
        except BundleError as exc:
            if len(exc.problems) == 1 and exc.problems[0].startswith("$: not valid JSON"):
                raise CommandError(exc.problems[0]) from exc
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"the bundle has {len(exc.problems)} problem(s); nothing was imported"
            ) from exc
        finally:
            bar.close()
        for line in summary.lines():
            self.stdout.write(line)

    @staticmethod
    def _read(bundle: str) -> str:
        try:
            return sys.stdin.read() if bundle == "-" else Path(bundle).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{bundle}: cannot read the bundle ({exc.strerror})") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{bundle}: not UTF-8 text") from exc
