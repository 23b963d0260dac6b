"""Issue 16, item 4: `import_cases` at council scale, measured by `bench_import`.

`council_bundle()` writes a large council's case bundle (CONTRACT.md) to a file: teams of PAs and a Team
Leader, and young people aged 16 to 24 with contacts over the last two years, pathway reviews, events,
some arrangements, interval overrides and in-touch checks, all valid. `measure_import()` runs
`manage.py import_cases` on it in a child process (the way a council runs it, output to a pipe, so no
progress bar) and reports its wall time and peak resident memory from the child's own rusage; run twice,
the second is the unchanged re-import. Timings stay here, never in the tests.
"""

import datetime as dt
import json
import os
import random
import subprocess  # nosec B404: runs this project's own manage.py
import sys
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

VISITS = ["home_visit", "office_visit", "face_to_face", "unannounced_visit"]
OTHER = ["phone", "text", "email", "letter"]
OUTCOMES = ["completed"] * 7 + ["no_response", "cancelled_by_yp", "cancelled_by_pa", "declined"]
PER_PA = 25


def council_bundle(*, young_people: int, contacts: int, seed: int = 1, today: dt.date | None = None) -> dict:
    """A valid bundle of `young_people` people with `contacts` contacts between them (spread evenly)."""
    rng = random.Random(seed)  # nosec B311: synthetic data, not security
    today = today or timezone.localdate()
    pas = max(1, -(-young_people // PER_PA))
    teams = max(1, -(-pas // 8))
    bundle: dict = {
        "pack": "england",
        "teams": [{"ref": f"bi-team-{t}", "name": f"Import Team {t}"} for t in range(teams)],
        "staff": [{"ref": f"bi-tl-{t}", "name": f"Leader {t}", "role": "team_leader", "team": f"bi-team-{t}"}
                  for t in range(teams)]
        + [{"ref": f"bi-pa-{p}", "name": f"Adviser {p}", "role": "pa", "team": f"bi-team-{p % teams}"}
           for p in range(pas)],
        "absences": [{"staff": f"bi-pa-{p}", "start": (today - dt.timedelta(days=30)).isoformat(),
                      "end": (today - dt.timedelta(days=20)).isoformat(), "reason": "annual_leave"}
                     for p in range(0, pas, 10)],
        "young_people": [],
    }
    each, extra = divmod(contacts, young_people)
    for i in range(young_people):
        dob = today - dt.timedelta(days=rng.randint(16 * 365 + 30, 24 * 365))
        allocated = max(dob + dt.timedelta(days=16 * 365), today - dt.timedelta(days=rng.randint(400, 900)))
        person: dict = {
            "ref": f"BI-{i:06d}", "name": f"Young Person {i}", "date_of_birth": dob.isoformat(),
            "legal_status": rng.choice(["eligible", "relevant", "former_relevant", "former_relevant"]),
            "pa": f"bi-pa-{i // PER_PA}", "allocated_on": allocated.isoformat(),
            "extended_support": rng.random() < 0.2, "sex": rng.choice("MFU"),
            "contacts": [], "pathway_reviews": sorted({
                (today - dt.timedelta(days=rng.randint(1, 180) + 182 * k)).isoformat() for k in range(3)}),
        }
        if rng.random() < 0.1:
            person["interval_days"] = {"visit": 28}
        if rng.random() < 0.1:
            person["arrangement"] = {"kind": rng.choice(["reduced_visits", "step_back"]),
                                     "active_from": (today - dt.timedelta(days=rng.randint(30, 300))).isoformat()}
        if rng.random() < 0.05:
            person["events"] = [{"kind": "significant_change",
                                 "date": (today - dt.timedelta(days=rng.randint(1, 60))).isoformat()}]
        if rng.random() < 0.3:
            person["in_touch_checks"] = [{"date": (today - dt.timedelta(days=rng.randint(1, 300))).isoformat(),
                                          "in_touch": "YES", "activity": "F2", "accommodation": "C1"}]
        span = max(1, (today - allocated).days)
        for _ in range(each + (1 if i < extra else 0)):
            person["contacts"].append({
                "date": (today - dt.timedelta(days=rng.randint(0, span))).isoformat(),
                "method": rng.choice(VISITS if rng.random() < 0.4 else OTHER),
                "with": "young_person" if rng.random() < 0.9 else "third_party",
                "outcome": rng.choice(OUTCOMES)})
        bundle["young_people"].append(person)
    return bundle


def write_bundle(path: Path, **kwargs) -> Path:
    path.write_text(json.dumps(council_bundle(**kwargs)), encoding="utf-8")
    return path


class _BackendWatch:
    """Follows the CPU of the child's PostgreSQL backend (the database runs on this machine): polls
    pg_stat_activity for the other client backends of this database and reads each one's /proc stat,
    keeping the last reading of every pid it saw. The child is the only other client while it runs."""

    def __init__(self) -> None:
        self.cpu: dict[int, float] = {}
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        if connection.vendor != "postgresql":
            return
        ticks = os.sysconf("SC_CLK_TCK")
        try:
            with connection.cursor() as cursor:
                while not self.stopped.wait(0.2):
                    cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                   "AND backend_type = 'client backend' AND pid <> pg_backend_pid()")
                    for (pid,) in cursor.fetchall():
                        try:
                            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                        except OSError:
                            continue
                        self.cpu[pid] = (int(fields[11]) + int(fields[12])) / ticks
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopped.set()
        self.thread.join()

    @property
    def seconds(self) -> float | None:
        return round(sum(self.cpu.values()), 1) if self.cpu else None


def measure_import(path: Path) -> dict:
    """One `import_cases` run in a child process: wall seconds, CPU seconds of the child (its own rusage
    through wait4) and of its PostgreSQL backend (from /proc, polled), peak resident memory (MiB, the
    child's rusage), exit status and the summary it printed. The CPU figures hold on a loaded machine,
    where the wall time does not."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err, _BackendWatch() as backend:
        started = time.monotonic()
        child = subprocess.Popen(  # noqa: S603  # nosec B603: fixed argv, no shell
            [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "import_cases", str(path)],
            stdout=out, stderr=err, env={**os.environ, "DEBUG": "false"})  # DEBUG would log every query
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.monotonic() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        output, errors = out.read().strip().splitlines(), err.read().strip().splitlines()[-5:]
    return {"seconds": round(seconds, 1), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
            "database_cpu_seconds": backend.seconds, "peak_memory_mib": round(usage.ru_maxrss / 1024),  # KiB on Linux
            "exit": child.returncode, "output": output, "errors": errors}


def run_import_benchmark(*, young_people: int, contacts: int, seed: int = 1, log=None) -> dict:
    """Write the bundle to a temporary file, import it, import it again unchanged; the figures of both."""
    log = log or (lambda message: None)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "council.json"
        started = time.monotonic()
        write_bundle(path, young_people=young_people, contacts=contacts, seed=seed)
        results: dict = {"young_people": young_people, "contacts": contacts,
                         "bundle_mib": round(path.stat().st_size / 2**20, 1),
                         "generate_seconds": round(time.monotonic() - started, 1),
                         "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
                         "load_average": [round(x, 2) for x in os.getloadavg()]}
        log(f"bundle written ({results['bundle_mib']} MiB); first import")
        results["first_import"] = measure_import(path)
        log("unchanged re-import")
        results["unchanged_reimport"] = measure_import(path)
    return results
