"""Issue 16: writes that move people in the whole service's caseload orders, at the same time as each other and as
the nightly run, on PostgreSQL with real connections (one thread each). The checkpoints' trigger (migration
compliance 0014) takes one transaction-level advisory lock, held to the commit; every transaction that writes the
summary takes it before any row lock (compliance.checkpoints.caseload_orders_lock), so a transaction holding it
never waits for a row that a transaction waiting for it holds: no deadlock, and the checkpoints stay exact (every
page of every sort the plain OFFSET query's, V4).

Each test holds a row lock of its own (in the test's connection) that one writer needs part-way through, so the
writers meet in the order that used to deadlock: the writer waits there holding its first row locks, the other
writer is started and runs until it waits too (seen in pg_locks, not guessed from time), then the row is let go.
Before the lock came first, the night waited at its commit for the young person a case closure had locked, and the
closure then waited for the advisory lock the night held (PostgreSQL aborted one of them)."""

import ast
import inspect
import threading
import time
from contextlib import contextmanager

import pytest
from django.db import connection, connections, transaction

from approvals import services as approval_services
from careleavers.models import Allocation, YoungPerson
from compliance import services as compliance_services
from compliance.models import CaseloadSummary, Requirement
from compliance.services import case_close
from contacts import services as contact_services
from contacts.models import Method, Outcome
from oversight.models import NightlyRun, RunState
from oversight.services import nightly_run
from pathway import services as pathway_services
from tests.careleavers.helpers import today, young_person

from .test_checkpoints import assert_every_page_is_the_offset_querys, rebuild

concurrent = pytest.mark.django_db(transaction=True)

#: How long any writer may wait for a lock before it fails instead (a safety net: a deadlock is found in
#: deadlock_timeout, 1 s, and the tests then fail on the writer's error, not on this).
LOCK_TIMEOUT = "30s"


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers and the checkpoints' trigger need PostgreSQL")


class Writer(threading.Thread):
    """`work` in a connection and transaction of its own; its backend's pid, its error (if any)."""

    def __init__(self, name: str, work) -> None:
        super().__init__(name=name, daemon=True)
        self.work = work
        self.pid: int | None = None
        self.error: BaseException | None = None
        self.connected = threading.Event()

    def run(self) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            self.connected.set()
            self.work()
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            self.connected.set()
            connections.close_all()

    def begin(self) -> "Writer":
        self.start()
        assert self.connected.wait(30), f"{self.name} did not connect"
        return self

    def finish(self) -> None:
        self.join(90)
        assert not self.is_alive(), f"{self.name} did not finish"
        assert self.error is None, f"{self.name}: {type(self.error).__name__}: {self.error}"


def blocked_by(writer: Writer) -> set[int]:
    """The backends whose locks `writer`'s backend is waiting for (empty when it is not waiting)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_blocking_pids(%s)", [writer.pid])
        return set(cursor.fetchone()[0])


def wait_until_waiting(writer: Writer, *, on: int | None = None) -> bool:
    """Poll until `writer` waits for a lock (held by backend `on`, when given); False if it finished first."""
    deadline = time.monotonic() + 60
    while writer.is_alive():
        waiting_on = blocked_by(writer)
        if waiting_on and (on is None or on in waiting_on):
            return True
        assert time.monotonic() < deadline, f"{writer.name} neither waited nor finished"
        writer.join(0.01)
    return False


def own_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@contextmanager
def waiting_on_a_row(hold, name: str, work):
    """In a transaction of the test's own, `hold()` row-locks what `work` needs part-way through; `work` then runs
    as a Writer, yielded once it waits for that row (holding what it locked first). Leaving the block commits the
    test's transaction, which lets the row go."""
    with transaction.atomic():
        hold()
        holder = own_pid()
        first = Writer(name, work).begin()
        assert wait_until_waiting(first, on=holder)
        yield first


def hold_allocation(person: YoungPerson):
    return lambda: Allocation.objects.select_for_update().get(young_person=person, end__isnull=True)


def closing_case(person: YoungPerson, actor):
    return lambda: case_close(young_person=person, actor=actor, closed_on=today(), reason="moved_away")


def visiting(person: YoungPerson, actor):
    return lambda: contact_services.contact_log(
        young_person=person, actor=actor, date=today(), method=Method.OFFICE_VISIT, outcome=Outcome.COMPLETED
    )


@pytest.fixture
def people(postgresql, alice, charlie):
    """Nine open cases of two PAs, recomputed (so some are overdue: the night raises their alerts), with checkpoints
    every second open case, so that most positions are ones the writes move."""
    cases = [
        young_person(
            alice if n % 2 else charlie,
            name=("Sam Same" if n < 3 else f"Name {9 - n}"),
            age=18 + n % 3,
            allocated_days_ago=(20, 300, 80, 300, 10, 50, 2000, 45, 5)[n],
        )
        for n in range(9)
    ]
    rebuild(2)
    return cases


def make_the_night_move_someone(person: YoungPerson) -> None:
    """A summary row the night corrects (its name no longer the young person's), so the night's refresh moves it in
    the name order, as a new day's windows move people (the trigger's lock is taken only for moves)."""
    CaseloadSummary.objects.filter(pk=person.pk).update(name="Zed Stale")


@concurrent
def test_v4_a_case_closed_while_the_night_runs_no_deadlock(people, tess):
    """The closure locks the young person (and waits for their allocation, which the test holds); the night runs
    meanwhile and raises the young person's alert (overdue). Both commit, and every page is the OFFSET query's."""
    closing = people[1]  # alice's, allocated 300 days ago with no contact: overdue
    make_the_night_move_someone(people[4])
    with waiting_on_a_row(hold_allocation(closing), "case close", closing_case(closing, tess)) as closure:
        night = Writer("night", lambda: nightly_run(as_of=today())).begin()
        wait_until_waiting(night)  # for the closure (its lock, or the young person), or already done
    closure.finish()
    night.finish()
    assert YoungPerson.objects.get(pk=closing.pk).closed_on == today()
    assert NightlyRun.objects.get(night=today()).state == RunState.DONE
    assert CaseloadSummary.objects.get(pk=closing.pk).closed
    assert CaseloadSummary.objects.get(pk=people[4].pk).name == people[4].name
    assert_every_page_is_the_offset_querys()


@concurrent
def test_v4_a_contact_and_a_case_closed_at_once_for_one_young_person_no_deadlock(people, alice, tess):
    """A Team Leader closes a case (waiting, part-way, for the allocation the test holds) while the PA records a
    visit to the same young person: the visit's transaction is recorded before or after the closure, never
    half-way, and neither is aborted."""
    person = people[3]
    with waiting_on_a_row(hold_allocation(person), "case close", closing_case(person, tess)) as closure:
        visit = Writer("contact", visiting(person, alice)).begin()
        wait_until_waiting(visit)
    closure.finish()
    visit.finish()
    assert YoungPerson.objects.get(pk=person.pk).closed_on == today()
    assert person.contacts.count() == 1
    assert not Requirement.objects.filter(young_person=person).exists()  # closed from today: nothing is owed
    assert_every_page_is_the_offset_querys()


@concurrent
def test_v4_a_contact_that_moves_someone_while_the_night_runs_no_deadlock(people, alice):
    """The visit's recompute waits for one of the young person's requirement rows (the test holds it) after the
    visit is written; the night runs meanwhile. Both commit; the visit moved its young person in the due-date
    orders, and every page is the OFFSET query's."""
    person = people[3]  # overdue: the visit moves them from the front of the urgency order
    before = CaseloadSummary.objects.get(pk=person.pk)
    make_the_night_move_someone(people[6])
    with waiting_on_a_row(
        lambda: list(Requirement.objects.select_for_update().filter(young_person=person)), "contact", visiting(person, alice)
    ) as visit:
        night = Writer("night", lambda: nightly_run(as_of=today())).begin()
        wait_until_waiting(night)
    visit.finish()
    night.finish()
    after = CaseloadSummary.objects.get(pk=person.pk)
    assert (after.urgency, after.next_due) != (before.urgency, before.next_due)
    assert NightlyRun.objects.get(night=today()).state == RunState.DONE
    assert_every_page_is_the_offset_querys()


def _recomputing(tree: ast.Module) -> set[str]:
    """The module's functions that recompute someone, themselves or through another function of the module."""
    calls = {
        node.name: {
            call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", "")
            for call in ast.walk(node)
            if isinstance(call, ast.Call)
        }
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
    }
    found = {"recompute", "recompute_young_person"}
    while True:
        more = {name for name, called in calls.items() if called & found} - found
        if not more:
            return found - {"recompute", "recompute_young_person"}
        found |= more


@pytest.mark.parametrize("module", [compliance_services, contact_services, approval_services, pathway_services])
def test_v4_every_service_that_recomputes_takes_the_lock_before_anything_else(module):
    """The rule the tests above rest on, for services written later too: a transaction's service that recomputes
    someone takes caseload_orders_lock as its first statement (after the docstring), before any read or row lock."""
    tree = ast.parse(inspect.getsource(module))
    services = [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and node.name in _recomputing(tree)
        and any("atomic" in ast.unparse(d) for d in node.decorator_list)
    ]
    assert services, "no service recomputes here: the test reads the wrong module"
    late = []
    for node in services:
        body = node.body[1:] if isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant) else node.body
        if ast.unparse(body[0]) != "caseload_orders_lock()":
            late.append(node.name)
    assert not late, f"take caseload_orders_lock() first in {late} (compliance.checkpoints)"
