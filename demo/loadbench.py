"""Load benchmark (issue 16): the app served by gunicorn under production settings, driven by wrk on
loopback, signed in as each persona, for every page and export, at 8 and 32 connections.

Every figure is also given as a ratio to the login page's p95 in the same run (it renders a template and
reads no case data: the framework's own floor), because the machine is shared and absolute timings move
with whatever else runs on it. Before measuring it runs VACUUM ANALYZE (this machine's PostgreSQL has no
autovacuum, and each nightly run leaves dead requirement rows behind) and says so.

Sessions are made directly in the session store for a generated member of staff of each role, with a
second factor recorded as passed (a static device made for the benchmark), exactly what signing in
leaves in a session; nothing else is written.
"""

import http.client
import os
import re
import secrets
import shutil
import signal
import subprocess  # nosec B404  (gunicorn and wrk, run with fixed arguments)
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.db.models import Count
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice

from accounts.sessions import LAST_SEEN, SIGNED_IN_AT
from careleavers.models import Role, Staff, YoungPerson

#: wrk prints the percentiles this script asks for, one line, easy to parse.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.bytes))
end
"""


@dataclass
class Target:
    label: str
    role: str | None  # None: signed out (the login page)
    url: str
    #: A streamed download: wrk's latency is the time to send all of it, which is not comparable to a page's, so
    #: its time to the first byte and to the whole download are measured apart (issue 16: within 200 ms).
    streamed: bool = False


@dataclass
class Figures:
    label: str
    connections: int
    requests: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    ratio: float = 0.0

    def line(self) -> str:
        return (f"{self.label:<44} c{self.connections:<3} p50 {self.p50_ms:7.1f}  p95 {self.p95_ms:7.1f}  "
                f"p99 {self.p99_ms:7.1f} ms  {self.rps:7.1f} req/s  x{self.ratio:5.1f} login p95"
                + (f"  ({self.errors} errors)" if self.errors else ""))


def _persona(role: str) -> Staff:
    staff = Staff.objects.filter(role=role, user__isnull=False)
    if role == Role.PA:  # a PA with a full caseload, as the issue measured
        staff = staff.annotate(n=Count("caseload")).filter(n__gte=20)
    member = staff.order_by("ref").first()
    if member is None:
        raise RuntimeError(f"No {role} with a user to sign in as: generate a caseload first.")
    return member


def _session_cookie(staff: Staff) -> str:
    """A session as signing in with a second factor leaves it (accounts.views.sign_in, django-otp)."""
    user = staff.user
    device, _ = StaticDevice.objects.get_or_create(user=user, name="bench_load", defaults={"confirmed": True})
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"  # what signing in records
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store["otp_device_id"] = device.persistent_id
    store[SIGNED_IN_AT] = store[LAST_SEEN] = int(time.time()) + 3600  # no write of LAST_SEEN while measuring
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def targets(*, late_page: int) -> list[Target]:
    pa = _persona(Role.PA)
    young_person = YoungPerson.objects.filter(pa=pa).order_by("ref").first()
    return [
        Target("login page (the floor)", None, reverse("login")),
        Target("PA caseload", Role.PA, reverse("caseload")),
        Target("Team Leader caseload", Role.TEAM_LEADER, reverse("caseload")),
        Target("Service Leader caseload", Role.SERVICE_LEADER, reverse("caseload")),
        Target(f"Service Leader caseload page {late_page}", Role.SERVICE_LEADER, reverse("caseload") + f"?page={late_page}"),
        Target("Service Leader caseload by age, late page", Role.SERVICE_LEADER,
               reverse("caseload") + f"?sort=age&page={late_page}"),
        Target("young person's page (PA)", Role.PA, reverse("young_person", args=[young_person.pk])),
        Target("team dashboard", Role.TEAM_LEADER, reverse("oversight:team")),
        Target("service dashboard", Role.SERVICE_LEADER, reverse("oversight:service")),
        Target("Head of Service dashboard", Role.HEAD_OF_SERVICE, reverse("oversight:head")),
        Target("service teams CSV", Role.SERVICE_LEADER, reverse("oversight:export", args=["service-teams", "csv"])),
        Target("Head of Service longest overdue CSV", Role.HEAD_OF_SERVICE,
               reverse("oversight:export", args=["head-longest", "csv"]), streamed=True),
        Target("Returns page", Role.SERVICE_LEADER, reverse("returns:index")),
    ]


def _environment(port: int, secret_key: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on loopback: no proxy in front, so no HTTPS redirect or secure-only cookies.
        "SECURE_SSL_REDIRECT": "false", "SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0", "SECURE_HSTS_PRELOAD": "false", "SECURE_HSTS_INCLUDE_SUBDOMAINS": "false",
        "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
    })
    return env


def _wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310  # nosec B310  (loopback, our own server)
        except OSError:
            time.sleep(0.5)
        else:
            return
    raise RuntimeError(f"gunicorn did not answer on {url}")


def _wrk(url: str, *, cookie: str | None, connections: int, seconds: int, script: str) -> Figures:
    command = ["wrk", "-t", str(min(connections, 2)), "-c", str(connections), "-d", f"{seconds}s",
               "--timeout", "30s", "-s", script]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603  # nosec B603
    match = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)", output)
    if match is None:
        raise RuntimeError(f"wrk said: {output}")
    requests, duration_us, p50, p95, p99, errors, _bytes = (int(g) for g in match.groups())
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Figures("", connections, requests, requests / (duration_us / 1e6), p50 / 1000, p95 / 1000, p99 / 1000,
                   errors + (int(non_2xx.group(1)) if non_2xx else 0))


def _check(port: int, path: str, cookie: str | None) -> None:
    """The page answers 200 to this persona (not a sign-in redirect or an error), so its figures mean something."""
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    client.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = client.getresponse()
    response.read()
    client.close()
    if response.status != 200:
        raise RuntimeError(f"{path} answered {response.status} {response.getheader('Location') or ''}")


#: Issue 16: a large export starts sending within this long.
FIRST_BYTE_TARGET_MS = 200


@dataclass
class StreamFigures:
    label: str
    requests: int
    first_byte_p50_ms: float
    first_byte_p95_ms: float
    whole_p50_ms: float
    whole_p95_ms: float
    bytes: int

    def line(self) -> str:
        verdict = "within" if self.first_byte_p95_ms <= FIRST_BYTE_TARGET_MS else "NOT within"
        return (f"{self.label:<44} first byte p50 {self.first_byte_p50_ms:7.1f}  p95 {self.first_byte_p95_ms:7.1f} ms"
                f" ({verdict} {FIRST_BYTE_TARGET_MS} ms)  whole download p50 {self.whole_p50_ms:7.1f}"
                f"  p95 {self.whole_p95_ms:7.1f} ms  {self.bytes} bytes  ({self.requests} requests, one at a time)")


def _fetch(port: int, path: str, cookie: str | None) -> tuple[float, float, int]:
    """One download: seconds to the first byte of the body (the status line and headers come with it), seconds to
    the last, and its length. 200 or an error, as `_check`."""
    started = time.perf_counter()
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        client.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = client.getresponse()
        first = response.read(1)
        first_byte = time.perf_counter() - started
        length = len(first) + len(response.read())
        whole = time.perf_counter() - started
    finally:
        client.close()
    if response.status != 200:
        raise RuntimeError(f"{path} answered {response.status} {response.getheader('Location') or ''}")
    return first_byte, whole, length


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def stream_figures(label: str, fetched: list[tuple[float, float, int]]) -> StreamFigures:
    first, whole = [f for f, _, _ in fetched], [w for _, w, _ in fetched]
    return StreamFigures(label, len(fetched), _percentile(first, 0.5) * 1000, _percentile(first, 0.95) * 1000,
                         _percentile(whole, 0.5) * 1000, _percentile(whole, 0.95) * 1000, fetched[-1][2])


def measure_stream(port: int, target: Target, cookie: str | None, *, requests: int) -> StreamFigures:
    """Time to the first byte and to the whole download of a streamed export, over `requests` downloads one after
    another (a small client of our own: wrk gives neither)."""
    return stream_figures(target.label, [_fetch(port, target.url, cookie) for _ in range(requests)])


def vacuum(log: Callable[[str], None]) -> None:
    if connection.vendor != "postgresql":
        return
    log("VACUUM ANALYZE before measuring (no autovacuum here; dead rows would double the heavy queries) ...")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    log(f"  vacuumed in {time.perf_counter() - started:.1f} s")


@contextmanager
def _served(pages: list[Target], *, port: int, workers: int, timeout: int,
            env: dict[str, str] | None = None) -> Iterator[tuple[subprocess.Popen, dict[str, str]]]:
    """gunicorn under production settings on loopback with its own static files and secret key, and a signed-in
    session cookie for each persona the pages need; yields once the login page answers, and stops the server
    (its whole process group) and removes the static files however the measuring ends."""
    secret_key = secrets.token_urlsafe(64)
    with override_settings(SECRET_KEY=secret_key):  # the server's key signs the sessions and their auth hash
        cookies = {role: _session_cookie(_persona(role)) for role in {t.role for t in pages if t.role}}
    server_env = _environment(port, secret_key) | (env or {})
    static_root = tempfile.mkdtemp(prefix="bench_static_")
    server_env["STATIC_ROOT"] = static_root
    try:
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],  # nosec B603
                       env=server_env, check=True)
        server = subprocess.Popen(  # noqa: S603  # nosec B603
            [sys.executable, "-m", "gunicorn", "config.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}",
             "--log-level", "warning", "--timeout", str(timeout)], env=server_env, start_new_session=True)
        try:
            _wait_until_up(f"http://127.0.0.1:{port}" + reverse("login"))
            yield server, cookies
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
    finally:
        shutil.rmtree(static_root, ignore_errors=True)


def run_load(*, connections: list[int], seconds: int, workers: int, port: int, late_page: int,
             log: Callable[[str], None], streams: list[StreamFigures] | None = None,
             stream_requests: int = 10) -> list[Figures]:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: apt-get install -y wrk")
    vacuum(log)
    pages = targets(late_page=late_page)
    results: list[Figures] = []
    with _served(pages, port=port, workers=workers, timeout=120) as (_server, cookies):
        base = f"http://127.0.0.1:{port}"
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT)
        for target in (t for t in pages if t.streamed):  # on a quiet server, before wrk loads it
            streamed = measure_stream(port, target, cookies.get(target.role), requests=stream_requests)
            log(streamed.line())
            if streams is not None:
                streams.append(streamed)
        for count in connections:
            floor = None
            for target in pages:
                _check(port, target.url, cookies.get(target.role))
                # one request first, so a worker's first-request costs are not in the figures
                _wrk(base + target.url, cookie=cookies.get(target.role), connections=1, seconds=1, script=script.name)
                figures = _wrk(base + target.url, cookie=cookies.get(target.role), connections=count,
                               seconds=seconds, script=script.name)
                figures.label = target.label
                floor = floor or figures.p95_ms
                figures.ratio = figures.p95_ms / floor if floor else 0.0
                results.append(figures)
                log(figures.line())
    return results


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of a process on this machine so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _database_backends() -> list[int]:
    """The PostgreSQL backends connected to this database, but for this process's own."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return [row[0] for row in cursor.fetchall()]


def _backends_cpu_s(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            total += _cpu_s(pid)
        except OSError:  # a backend that has gone
            continue
    return total


@dataclass
class CpuFigures:
    label: str
    requests: int
    python_ms: float
    database_ms: float
    ratio: float = 0.0

    def line(self) -> str:
        return (f"{self.label:<44} python {self.python_ms:6.1f} ms  database {self.database_ms:6.1f} ms  "
                f"total {self.python_ms + self.database_ms:6.1f} ms  x{self.ratio:4.1f} login")


def run_cpu(*, requests: int, port: int, late_page: int, log: Callable[[str], None],
            streams: list[StreamFigures] | None = None) -> list[CpuFigures]:
    """CPU per request, which holds on a loaded machine where latencies do not: one gunicorn worker under
    production settings, each page asked for ``requests`` times in a row after two warm-up requests; the
    worker's own CPU (from /proc) and its PostgreSQL backend's (the worker keeps one connection, CONN_MAX_AGE;
    read as every backend connected to this database, so use a database of your own) are divided by the
    number of requests. Opening a connection (once in production settings' CONN_MAX_AGE, 60 s) is not counted."""
    vacuum(log)
    pages = targets(late_page=late_page)
    results: list[CpuFigures] = []
    # one backend for the worker (CONN_MAX_AGE), whose CPU can then be read between requests
    with _served(pages, port=port, workers=1, timeout=300, env={"CONN_MAX_AGE": "600"}) as (server, cookies):
        worker = int(Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()[0])
        floor = None
        for target in pages:
            for _ in range(2):
                _check(port, target.url, cookies.get(target.role))
            backends = _database_backends()
            python_before, database_before = _cpu_s(worker), _backends_cpu_s(backends)
            fetched = [_fetch(port, target.url, cookies.get(target.role)) for _ in range(requests)]
            python_ms = (_cpu_s(worker) - python_before) * 1000 / requests
            database_ms = (_backends_cpu_s(backends) - database_before) * 1000 / requests
            figures = CpuFigures(target.label, requests, python_ms, database_ms)
            floor = floor or (python_ms + database_ms)
            figures.ratio = (python_ms + database_ms) / floor if floor else 0.0
            results.append(figures)
            log(figures.line())
            if target.streamed:  # the same requests, timed by the client: one worker, one request at a time
                streamed = stream_figures(target.label, fetched)
                log(streamed.line())
                if streams is not None:
                    streams.append(streamed)
    return results


def cpu_table(results: list[CpuFigures], *, young_people: int) -> str:
    lines = [f"CPU per request, {young_people} young people, {timezone.localdate():%d %b %Y}",
             "", "| page | Python ms | database ms | total ms | x login |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| {r.label} | {r.python_ms:.1f} | {r.database_ms:.1f} | {r.python_ms + r.database_ms:.1f} |"
              f" {r.ratio:.1f} |" for r in results]
    return "\n".join(lines)


def summary_table(results: list[Figures], *, young_people: int) -> str:
    lines = [f"Load benchmark, {young_people} young people, {timezone.localdate():%d %b %Y}",
             "", "| page | c | p50 ms | p95 ms | p99 ms | req/s | p95 x login | errors |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {r.label} | {r.connections} | {r.p50_ms:.0f} | {r.p95_ms:.0f} | {r.p99_ms:.0f} | {r.rps:.1f} |"
              f" {r.ratio:.1f} | {r.errors} |" for r in results]
    return "\n".join(lines)
