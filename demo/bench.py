"""Benchmark of the compliance engine and the pages at scale (issue 6).

Timing is measured here and printed by `bench_compliance`; it never goes into the test suite
(tests only check that this runs and that query counts do not grow with the caseload).

What is measured, on whatever DATABASE_URL points at:
- the full set-based recompute (the nightly path), in steady state (rows already stored, the
  usual night) and cold (every row written);
- the floor: one plain SQL aggregate of the latest completed contact per young person and method
  group over the same table, which no engine can beat by much, and the ratio of the two;
- the incremental recompute after one contact is logged (through contacts.services.contact_log
  when it exists), inside a transaction that is rolled back so the data does not drift;
- each page (caseload, young person, every oversight dashboard that exists) through Django's
  test client as a generated PA, Team Leader, Service Leader or Head of Service: time and
  number of queries.
"""

import datetime as dt
import inspect
import logging
import os
import platform
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.core import mail
from django.db import connection, reset_queries, transaction
from django.db.models import Count
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, get_resolver, reverse
from django.utils import timezone

from careleavers.models import Notification, Role, Staff, YoungPerson
from compliance import engine
from compliance.models import FullRecompute, Requirement
from contacts import services as contact_services
from contacts.models import VISIT_METHODS, Contact, Method, Outcome, With
from demo.generator import STAFF_PREFIX, generate_caseload
from oversight.models import Alert, NightlyRun, OverdueByCode, OverdueByTeam, RunState, Snapshot
from oversight.services import nightly_run

#: Dashboards of the oversight app, and who looks at each. Those whose URL does not exist are
#: listed as skipped rather than failing the run.
DASHBOARDS: tuple[tuple[str, str], ...] = (
    ("oversight:team", Role.TEAM_LEADER),
    ("oversight:service", Role.SERVICE_LEADER),
    ("oversight:head", Role.HEAD_OF_SERVICE),
    ("oversight:dashboard", Role.TEAM_LEADER),
    ("oversight:dashboard", Role.SERVICE_LEADER),
    ("oversight:dashboard", Role.HEAD_OF_SERVICE),
)
PAGE_RUNS = 5
RECOMPUTE_RUNS = 3
INCREMENTAL_SAMPLES = 15


class _Rollback(Exception):
    pass


@contextmanager
def _rolled_back():
    """Run a block in a transaction and undo it, so measuring leaves the data as it was."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def floor_sql(as_of: dt.date) -> str:
    """One plain aggregate: the latest completed contact per young person and method group."""
    visits = ", ".join(f"'{m}'" for m in VISIT_METHODS)
    day = f"DATE '{as_of.isoformat()}'" if connection.vendor == "postgresql" else f"'{as_of.isoformat()}'"
    return f"""
SELECT COUNT(*) FROM (
    SELECT c.young_person_id,
           CASE WHEN c.method IN ({visits}) THEN 'visit' ELSE 'other' END AS method_group,
           MAX(c.date) AS last_completed
    FROM contacts_contact c
    WHERE c.outcome = 'completed' AND c.voided_at IS NULL AND c.date <= {day}
    GROUP BY c.young_person_id, CASE WHEN c.method IN ({visits}) THEN 'visit' ELSE 'other' END
) latest"""


def _run_floor(as_of: dt.date) -> None:
    with connection.cursor() as cursor:
        cursor.execute(floor_sql(as_of))
        cursor.fetchone()


def measure_engine(as_of: dt.date, runs: int = RECOMPUTE_RUNS) -> dict:
    def full() -> None:
        with transaction.atomic():
            engine.recompute(as_of)

    full()  # warm the cache and bring stored rows up to date: the steady nightly state
    steady = [_timed(full) for _ in range(runs)]
    floor = [_timed(lambda: _run_floor(as_of)) for _ in range(runs)]
    cold = []
    for _ in range(max(1, runs // 2)):
        with _rolled_back():
            Requirement.objects.all().delete()
            cold.append(_timed(lambda: engine.recompute(as_of)))
    recompute_s, floor_s = _median(steady), _median(floor)
    return {
        "recompute_s": round(recompute_s, 4),
        "recompute_cold_s": round(_median(cold), 4),
        "floor_s": round(floor_s, 4),
        "ratio": round(recompute_s / floor_s, 2) if floor_s else None,
    }


def _contact_logger() -> tuple[str, Callable | None]:
    """The service a PA's contact goes through (contacts.services.contact_log)."""
    return "contacts.services.contact_log", contact_services.contact_log


def measure_incremental(as_of: dt.date, samples: int = INCREMENTAL_SAMPLES) -> dict:
    """Log one contact (a completed office visit, so the visit requirement moves) and time the
    engine's incremental recompute it runs in the same transaction."""
    ids = list(
        Requirement.objects.filter(code="pathway_review", young_person__pa__isnull=False)
        .order_by("young_person_id").values_list("young_person_id", flat=True)
    )
    if not ids:
        return {"incremental_ms": None, "log_contact_ms": None, "incremental_samples": 0, "incremental_path": "none"}
    step = max(1, len(ids) // samples)
    people = list(YoungPerson.objects.filter(pk__in=ids[::step][:samples]).select_related("pa__user"))
    path, logger = _contact_logger()
    recompute_times: list[float] = []
    log_times: list[float] = []
    original = engine.recompute_young_person

    def timed_recompute(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            recompute_times.append(time.perf_counter() - started)

    def by_service(yp: YoungPerson) -> None:
        wanted = {
            "young_person": yp, "actor": yp.pa, "date": as_of, "method": Method.OFFICE_VISIT,
            "outcome": Outcome.COMPLETED, "with_whom": With.YOUNG_PERSON, "note": "Benchmark visit", "today": as_of,
        }
        parameters = inspect.signature(logger).parameters
        logger(**{k: v for k, v in wanted.items() if k in parameters})

    def by_hand(yp: YoungPerson) -> None:
        with transaction.atomic():
            Contact.objects.create(young_person=yp, date=as_of, method=Method.OFFICE_VISIT, outcome=Outcome.COMPLETED,
                                   with_whom=With.YOUNG_PERSON, note="Benchmark visit", recorded_by=yp.pa)
            timed_recompute(yp, as_of)

    targets = _patch_points(timed_recompute)
    try:
        for yp in people:
            with _rolled_back():  # the DB is left as generated
                before = len(recompute_times)
                if logger is not None:
                    try:
                        log_times.append(_timed(lambda yp=yp: by_service(yp)))
                    except Exception:  # noqa: BLE001 - the service refused (e.g. its rules changed): measure by hand
                        logger = None
                        path = ""
                        del recompute_times[before:]
                if logger is None:
                    log_times.append(_timed(lambda yp=yp: by_hand(yp)))
                if len(recompute_times) == before:  # a service that does not recompute through this name
                    recompute_times.append(_timed(lambda yp=yp: original(yp, as_of)))
    finally:
        for module, name, value in targets:
            setattr(module, name, value)
    return {
        "incremental_ms": round(_median(recompute_times) * 1000, 2),
        "log_contact_ms": round(_median(log_times) * 1000, 2),
        "incremental_samples": len(people),
        "incremental_path": path or "Contact.objects.create + engine.recompute_young_person",
    }


def _patch_points(replacement) -> list[tuple[object, str, object]]:
    """Replace recompute_young_person where services look it up, remembering the originals."""
    patched = []
    for module in list(sys.modules.values()):
        name = getattr(module, "__name__", "") or ""
        if not (name == "compliance.engine" or name.endswith(".services")):
            continue
        value = getattr(module, "recompute_young_person", None)
        if value is engine.recompute_young_person:
            patched.append((module, "recompute_young_person", value))
            module.recompute_young_person = replacement
    return patched


# --- The whole nightly run (issue 16, item 3) ----------------------------------------------------

#: The steps of oversight.services.nightly_run, in the order the benchmark prints them.
#: `emails_send` is the e-mails the run leaves to its commits (the digests; timed here, apart from alerts_send).
NIGHTLY_PHASES = ("missed_nights", "recompute", "snapshot", "alerts_raise", "escalation_reviews", "plans_unshared",
                  "commit", "alerts_send", "emails_send")


def _table_writes() -> dict[str, dict[str, int]]:
    """Rows inserted, updated and deleted by this transaction so far, per table (PostgreSQL's
    pg_stat_xact_user_tables). An updated or deleted row is a dead tuple once committed."""
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables "
                       "WHERE n_tup_ins + n_tup_upd + n_tup_del > 0")
        return {name: {"inserted": i, "updated": u, "deleted": d} for name, i, u, d in cursor.fetchall()}


def _writes_between(before: dict, after: dict) -> dict[str, dict[str, int]]:
    out = {}
    for name, counts in sorted(after.items()):
        was = before.get(name, {})
        diff = {k: v - was.get(k, 0) for k, v in counts.items()}
        if any(diff.values()):
            out[name] = diff
    return out


def _first_night_state(night: dt.date) -> None:
    """Inside the benchmark's rolled-back transaction: as if no alert had ever been raised and `night`
    had not run yet, with every earlier night done (so no missed night is filled in). No full recompute is on
    record either (FullRecompute), as on the first night after deploying: that night recomputes everyone."""
    FullRecompute.objects.all().delete()
    Notification.objects.filter(kind__startswith="oversight.").delete()
    Alert.objects.all().delete()
    later = NightlyRun.objects.filter(night__gte=night)
    for rows in (Snapshot, OverdueByTeam, OverdueByCode):  # each protects its run
        rows.objects.filter(run__in=later).delete()
    later.delete()
    if not NightlyRun.objects.filter(night=night - dt.timedelta(days=1), state=RunState.DONE).exists():
        now = timezone.now()
        NightlyRun.objects.create(night=night - dt.timedelta(days=1), state=RunState.DONE, started_at=now,
                                  finished_at=now, worker="benchmark (rolled back)")


def backend_cpu_s() -> float | None:
    """CPU seconds (user + system) of this connection's PostgreSQL backend so far, from /proc (the
    database runs on this machine); None when it cannot be read."""
    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    try:
        pid = connection.connection.info.backend_pid
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (AttributeError, OSError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _night(night: dt.date) -> tuple[dict, dict, int]:
    """One nightly run as the task runs it (its digests sent when their transaction would commit):
    its result, the rows it wrote per table, and the e-mails it sent."""
    mail.outbox = []
    before = _table_writes()
    db_cpu = backend_cpu_s()
    cpu, started = time.process_time(), time.perf_counter()
    with TestCase.captureOnCommitCallbacks() as callbacks:
        result = nightly_run(as_of=night, worker="benchmark")
    sending = time.perf_counter()
    for callback in callbacks:  # what would run at the commits: the digest e-mails
        callback()
    result.phases["emails_send"] = round(time.perf_counter() - sending, 4)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    db_after = backend_cpu_s()
    writes = _writes_between(before, _table_writes())
    figures = result.as_dict()
    figures["seconds"] = round(seconds, 3)
    figures["python_cpu_s"] = round(cpu, 3)
    figures["database_cpu_s"] = round(db_after - db_cpu, 3) if db_cpu is not None and db_after is not None else None
    # Which recompute the night ran (engine.recompute_night): a full one records its day in FullRecompute.
    full = FullRecompute.objects.filter(pk=1, as_of=night).exists()
    figures["recompute_kind"] = "full" if full else "ordinary"
    return figures, writes, len(mail.outbox)


def _night_figures(figures: dict, writes: dict, emails: int, floor_s: float) -> dict:
    phases = figures["phases"]
    whole = figures["seconds"]
    return {
        "seconds": whole,
        "ratio_to_floor": round(whole / floor_s, 2) if floor_s else None,
        # CPU is steadier than wall time on a shared machine: this process's, and its backend's.
        "python_cpu_s": figures["python_cpu_s"],
        "database_cpu_s": figures["database_cpu_s"],
        "phases_s": {name: phases.get(name, 0.0) for name in NIGHTLY_PHASES},
        # The whole run less its steps (the claim, the ledger's reads, the release): small when the steps are true.
        "outside_phases_s": round(whole - sum(phases.get(name, 0.0) for name in NIGHTLY_PHASES), 3),
        "recompute_kind": figures["recompute_kind"],
        "alerts_raised": figures["alerts_raised"],
        "alerts_sent": figures["alerts_sent"],
        "digest_emails": emails,
        "snapshot_rows": figures["snapshot_rows"],
        # Rows each table had updated or deleted (dead tuples once committed), and inserted.
        "rows_written": writes,
    }


def measure_nightly(as_of: dt.date, floor_s: float) -> dict:
    """The whole nightly run (oversight.services.nightly_run) on two nights, each in a transaction
    rolled back: a first night (no alert raised before: tens of thousands raised and sent) and an
    ordinary night (the night after one that ran). E-mails go to Django's in-memory outbox."""
    results: dict = {}
    # The URL configuration is imported once per process (a Celery worker has long done it by night): here the
    # night's first reverse() would import every view, seconds charged to whichever step asks first.
    get_resolver().url_patterns  # noqa: B018
    reverse("young_person", args=[1])  # and its reverse lookups, which alerts_send has long built in a worker by night
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        with _rolled_back():
            _first_night_state(as_of)
            results["first_night"] = _night_figures(*_night(as_of), floor_s)
        vacuum_analyze()  # the rolled-back night left its rows dead
        with _rolled_back():
            yesterday = as_of - dt.timedelta(days=1)
            _first_night_state(yesterday)
            # The night before, not measured, run as it ran on its own day: so the stored rows, the caseload summary
            # and the team summary are left as of yesterday, as a real ordinary night finds them (run for a past
            # night, nightly_run would end by recomputing everyone as of today, and tonight would have nothing to do).
            with mock.patch("django.utils.timezone.localdate", return_value=yesterday):
                _night(yesterday)
            # The generated contacts dated today stand for the day's writes: each service recomputed its young person
            # in its own transaction as it wrote (the incremental path), before tonight's run.
            engine.recompute(as_of, Contact.objects.filter(date=as_of).values_list("young_person_id", flat=True)
                             .distinct())
            results["ordinary_night"] = _night_figures(*_night(as_of), floor_s)
    results["targets"] = {"ordinary_night": "<= 2x floor", "first_night": "<= 5x floor"}
    return results


def vacuum_analyze() -> str:
    """PostgreSQL: VACUUM ANALYZE first, so dead rows left by earlier runs (this machine runs no
    autovacuum) do not slow what is measured."""
    if connection.vendor != "postgresql":
        return "not PostgreSQL: no VACUUM"
    if connection.in_atomic_block:
        return "inside a transaction: no VACUUM"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return "VACUUM ANALYZE before measuring"


# --- Pages ---------------------------------------------------------------------------------------


def personas() -> dict[str, Staff]:
    """A PA with a full generated caseload, their Team Leader, a Service Leader and the Head of
    Service; generated staff first, anyone in the role otherwise."""
    def first(role: str, **extra) -> Staff | None:
        staff = Staff.objects.filter(role=role, **extra).select_related("user")
        return staff.filter(ref__startswith=STAFF_PREFIX).order_by("ref").first() or staff.order_by("ref").first()

    found: dict[str, Staff] = {}
    pa = (
        Staff.objects.filter(role=Role.PA, ref__startswith=STAFF_PREFIX).annotate(n=Count("caseload"))
        .order_by("-n", "ref").select_related("user").first()
    ) or first(Role.PA)
    if pa is not None:
        found[Role.PA] = pa
        leader = first(Role.TEAM_LEADER, team_id=pa.team_id)
    else:
        leader = first(Role.TEAM_LEADER)
    if leader is not None:
        found[Role.TEAM_LEADER] = leader
    for role in (Role.SERVICE_LEADER, Role.HEAD_OF_SERVICE):
        if (someone := first(role)) is not None:
            found[role] = someone
    return found


def measure_page(client: Client, url: str, runs: int = PAGE_RUNS) -> dict:
    response = client.get(url)  # warm up: templates, caches, session
    reset_queries()  # each request clears the query log, which would hide what was captured
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    count = len(queries)  # now: the next request clears the log it reads from
    with override_settings(DEBUG=False):
        times = [_timed(lambda: client.get(url)) for _ in range(runs)]
    page = {"url": url, "status": response.status_code, "ms": round(_median(times) * 1000, 1), "queries": count}
    if response.status_code in (301, 302, 303, 307, 308):
        page["redirects_to"] = response["Location"]
    return page


def measure_pages(runs: int = PAGE_RUNS) -> tuple[dict, list[str]]:
    people = personas()
    clients: dict[str, Client] = {}
    for role, staff in people.items():
        clients[role] = Client()
        clients[role].force_login(staff.user)
    pages: dict[str, dict] = {}
    skipped: list[str] = []
    for role in (Role.PA, Role.TEAM_LEADER, Role.SERVICE_LEADER):
        if role in clients:
            pages[f"caseload[{role}]"] = {"as": people[role].ref, **measure_page(clients[role], reverse("caseload"), runs)}
    pa = people.get(Role.PA)
    if pa is not None:
        # The PA's first young person: with the same seed, the same record at every size.
        yp_id = YoungPerson.objects.filter(pa=pa).order_by("ref").values_list("pk", flat=True).first()
        if yp_id is not None:
            url = reverse("young_person", args=[yp_id])
            pages[f"young_person[{Role.PA}]"] = {"as": pa.ref, **measure_page(clients[Role.PA], url, runs)}
    for name, role in DASHBOARDS:
        key = f"{name}[{role}]"
        try:
            url = reverse(name)
        except NoReverseMatch:
            if name not in skipped:
                skipped.append(name)
            continue
        if role not in clients:
            skipped.append(key)
            continue
        page = measure_page(clients[role], url, runs)
        if page.get("redirects_to") in {p["url"] for p in pages.values()}:
            skipped.append(f"{key} (redirects to {page['redirects_to']}, measured there)")
            continue
        pages[key] = {"as": people[role].ref, **page}
    return pages, skipped


# --- The whole run -------------------------------------------------------------------------------


def database_label() -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    if connection.vendor == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    return connection.vendor


def run_benchmark(*, young_people: int, reuse: bool = False, seed: int = 1, page_runs: int = PAGE_RUNS,
                  recompute_runs: int = RECOMPUTE_RUNS, incremental_samples: int = INCREMENTAL_SAMPLES,
                  log: Callable[[str], None] | None = None) -> dict:
    log = log or (lambda message: None)
    as_of = timezone.localdate()
    present = YoungPerson.objects.count()
    generated = None
    if present < young_people and not reuse:
        log(f"{present} young people recorded; generating {young_people - present} more")
        result = generate_caseload(young_people=young_people - present, seed=seed, as_of=as_of, log=log)
        generated = {"young_people": result.young_people, "contacts": result.contacts,
                     "seconds": round(result.seconds, 1), "recompute_s": round(result.recompute_seconds, 2)}
    log("VACUUM ANALYZE, then measuring the engine")
    vacuumed = vacuum_analyze()
    results: dict = {
        "vacuum": vacuumed,
        "database": database_label(),
        "cores": os.cpu_count(),
        "cores_available": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "machine": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        # Other work on the machine skews wall-clock figures: say how busy it was.
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "as_of": as_of.isoformat(),
        "young_people": YoungPerson.objects.count(),
        "contacts": Contact.objects.count(),
        "generated": generated,
    }
    results.update(measure_engine(as_of, recompute_runs))
    results["requirements"] = Requirement.objects.count()
    log("VACUUM ANALYZE, then measuring the whole nightly run (first night, ordinary night)")
    vacuum_analyze()  # the cold recompute's rolled-back rows are dead
    results["nightly"] = measure_nightly(as_of, results["floor_s"])
    log("measuring the incremental recompute")
    results.update(measure_incremental(as_of, incremental_samples))
    log("measuring the pages")
    hosts = list(settings.ALLOWED_HOSTS)
    axes_logger = logging.getLogger("axes")
    level = axes_logger.level
    axes_logger.setLevel(logging.WARNING)  # force_login is not a sign-in worth logging
    try:
        with override_settings(ALLOWED_HOSTS=[*hosts, "testserver"]):
            pages, skipped = measure_pages(page_runs)
    finally:
        axes_logger.setLevel(level)
    results["pages"] = pages
    results["skipped"] = skipped
    return results
