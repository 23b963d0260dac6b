from django.core.management.base import BaseCommand, CommandError

from compliance.packs import PACK_DIR, PackFileError, pack_keys, read_pack
from compliance.services import pack_load


class Command(BaseCommand):
    help = ("Load policy packs from compliance/pack_data/<key>.json into the database (all of them without KEY), "
            "checking each against the schema; the active pack's due dates are recomputed when it changed.")

    def add_arguments(self, parser):
        parser.add_argument("keys", nargs="*", metavar="KEY", help=f"pack keys: {', '.join(pack_keys())}")
        parser.add_argument("--check", action="store_true", help="only check the files; write nothing")

    def handle(self, *args, keys: list[str], check: bool, **options):
        unknown = sorted(set(keys) - set(pack_keys()))
        if unknown:
            raise CommandError(f"no pack file for {', '.join(unknown)} in {PACK_DIR}")
        for key in keys or pack_keys():
            try:
                data = read_pack(PACK_DIR / f"{key}.json")
            except PackFileError as exc:
                raise CommandError(str(exc)) from exc
            if check:
                self.stdout.write(f"{key}: version {data.version}, {len(data.requirements)} rows, {len(data.events)} events: ok")
                continue
            changed = pack_load(data=data)
            self.stdout.write(f"{key}: version {data.version} {'loaded' if changed else 'unchanged'}")
