"""The whole service's caseload read from the checkpoints PostgreSQL keeps (issue 16, compliance.CaseloadCheckpoint):
every page of every sort holds exactly the rows of the plain OFFSET query over the summary's index, after every
kind of write to the summary (V4). Checkpoints every 2 or 3 open cases here, so that most pages start from one
that the writes have moved."""

import datetime as dt
import importlib
import itertools

import pytest
from django.db import connection, transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Concat

from careleavers.models import YoungPerson
from casework.filters import CaseloadPaginator
from compliance.checkpoints import SORT_INDEX, page_ids_params, page_ids_sql
from compliance.engine import recompute, refresh_summary
from compliance.models import CaseloadCheckpoint, CaseloadSummary, Urgency
from compliance.selectors import open_summaries
from compliance.services import case_close
from tests.careleavers.helpers import today, young_person
from tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the checkpoints are kept by PostgreSQL's triggers (SQLite pages with an OFFSET)")


def rebuild(stride: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT compliance_caseload_checkpoints_rebuild(%s)", [stride])


def offset_ids(sort: str, start: int, take: int) -> list[int]:
    """The plain OFFSET query: the open cases' ids in the sort's order, `take` of them from `start`."""
    return list(open_summaries(sort).values_list("young_person_id", flat=True)[start : start + take])


def seek_ids(sort: str, start: int, take: int) -> list[int]:
    """compliance.checkpoints' ids of the same positions, in the index order the sort reads (reversed or not)."""
    order, reverse = SORT_INDEX[sort]
    count = CaseloadSummary.objects.filter(closed=False).count()
    forward = count - start - take if reverse else start
    sql, _ = page_ids_sql(order)
    with connection.cursor() as cursor:
        cursor.execute(sql, page_ids_params(order, start=forward, take=take))
        ids = [row[0] for row in cursor.fetchall()]
    return ids[::-1] if reverse else ids


def assert_every_page_is_the_offset_querys():
    count = CaseloadSummary.objects.filter(closed=False).count()
    for sort in SORT_INDEX:
        for take in (1, 2, 5):
            for start in range(count - take + 1):
                assert seek_ids(sort, start, take) == offset_ids(sort, start, take), (sort, start, take)
        for per_page in (2, 3):  # the caseload's pages: the partial last one too
            paginator = CaseloadPaginator(YoungPerson.objects.all(), per_page, today=today(), sort=sort,
                                          open_cases=count, visibility=("service", None))
            for number in paginator.page_range:
                bottom = (number - 1) * per_page
                listed = [row.pk for row in paginator.page(number)]
                assert listed == offset_ids(sort, bottom, per_page), (sort, per_page, number)


def summary(person: YoungPerson, **keys) -> CaseloadSummary:
    values = {"ref": person.ref, "name": person.name, "date_of_birth": person.date_of_birth, "urgency": Urgency.OK,
              "next_due": today() + dt.timedelta(days=30)} | keys
    return CaseloadSummary.objects.update_or_create(young_person=person, defaults=values)[0]


@pytest.fixture
def service(alice, charlie):
    """Fourteen open cases and a closed one, with equal names, equal due dates and birthdays, and nothing due (no
    date), written straight to the summary (the trigger follows whichever code writes it)."""
    day = today()
    keys = itertools.cycle([
        {"urgency": Urgency.OVERDUE, "next_due": day - dt.timedelta(days=3)},
        {"urgency": Urgency.DUE_SOON, "next_due": day + dt.timedelta(days=5)},
        {"urgency": Urgency.OK, "next_due": day + dt.timedelta(days=40)},
        {"urgency": Urgency.NOTHING_DUE, "next_due": None},
        {"urgency": Urgency.OVERDUE, "next_due": day - dt.timedelta(days=3)},
    ])
    people = []
    for n in range(15):
        person = YoungPersonFactory(pa=alice if n % 2 else charlie, name="Sam Same" if n < 5 else f"Name {n % 4}",
                                    date_of_birth=day - dt.timedelta(days=7000 + n % 3))
        summary(person, **next(keys), closed=n == 11)
        people.append(person)
    rebuild(2)
    return people


def test_v4_every_page_of_every_sort_is_the_offset_querys(service):
    assert CaseloadCheckpoint.objects.filter(order="urgency").count() > 5  # a first one and every second case
    assert_every_page_is_the_offset_querys()


def test_v4_the_pages_stay_the_offset_querys_after_every_kind_of_write(service, alice):
    first, second, third = service[0], service[5], service[9]
    summary(first, urgency=Urgency.NOTHING_DUE, next_due=None)  # from the front of the urgency order to its end
    assert_every_page_is_the_offset_querys()
    summary(second, urgency=Urgency.OVERDUE, next_due=today() - dt.timedelta(days=90))  # to its front
    assert_every_page_is_the_offset_querys()
    YoungPerson.objects.filter(pk=third.pk).update(name="Aaron First", date_of_birth=today() - dt.timedelta(days=9000))
    CaseloadSummary.objects.filter(pk=third.pk).update(  # the name and age sorts (the summary's copy of them)
        name="Aaron First", date_of_birth=today() - dt.timedelta(days=9000))
    assert_every_page_is_the_offset_querys()
    CaseloadSummary.objects.filter(pk=service[2].pk).update(closed=True)  # leaves every order
    CaseloadSummary.objects.filter(pk=service[11].pk).update(closed=False)  # comes back
    assert_every_page_is_the_offset_querys()
    CaseloadSummary.objects.filter(pk__in=[service[3].pk, service[4].pk]).update(  # two rows in one statement
        urgency=Urgency.DUE_SOON, next_due=today() + dt.timedelta(days=5))
    assert_every_page_is_the_offset_querys()
    CaseloadSummary.objects.filter(pk=service[6].pk).delete()
    summary(YoungPersonFactory(pa=alice, name="Sam Same"), urgency=Urgency.OVERDUE,  # a new case among equals
            next_due=today() - dt.timedelta(days=3))
    assert_every_page_is_the_offset_querys()
    CaseloadSummary.objects.filter(pk=service[8].pk).update(due_soon=3)  # no key moves: nothing to shift
    assert_every_page_is_the_offset_querys()


def test_v4_the_engine_keeps_the_checkpoints_through_recomputes_closures_and_a_new_day(alice, charlie, tess):
    people = [young_person(alice if n % 2 else charlie, name=("Sam Same" if n < 3 else f"Name {7 - n}"),
                           age=18 + n % 3, allocated_days_ago=(20, 50, 80, 300, 10, 50, 2000, 45, 5)[n])
              for n in range(9)]
    recompute(today())
    rebuild(3)
    assert_every_page_is_the_offset_querys()
    case_close(young_person=people[3], actor=tess, closed_on=today(), reason="moved_away")
    young_person(alice, name="Name 2", allocated_days_ago=70)  # a new case, recomputed in its transaction
    assert_every_page_is_the_offset_querys()
    refresh_summary(today() + dt.timedelta(days=40))  # the calendar moves on: urgencies and due dates move
    assert_every_page_is_the_offset_querys()


def test_without_checkpoints_the_pages_read_from_the_first_key(service):
    """An empty table (a TRUNCATE of the summary empties it) is read from the first key below every row: slower,
    never wrong."""
    CaseloadCheckpoint.objects.all().delete()
    assert_every_page_is_the_offset_querys()
    rebuild(3)
    assert CaseloadCheckpoint.objects.filter(order="name", position=0).count() == 2  # the first key and the first row
    assert set(CaseloadCheckpoint.objects.values_list("stride", flat=True)) == {3}


#: Migration 0016's threshold: a statement that moves more rows than this rebuilds the orders it moved.
REBUILD_ABOVE = importlib.import_module("compliance.migrations.0016_checkpoints_rebuild_moved_orders").REBUILD_ABOVE


def checkpoint_rows() -> dict[str, list[tuple]]:
    fields = ("position", "stride", "urgency", "next_due", "name", "date_of_birth", "ref")
    return {order: list(CaseloadCheckpoint.objects.filter(order=order).order_by("position", "ref").values_list(*fields))
            for order in SORT_INDEX_ORDERS}


SORT_INDEX_ORDERS = sorted({order for order, _ in SORT_INDEX.values()})


def rebuilt_rows() -> dict[str, list[tuple]]:
    """What a full rebuild of every order leaves (rolled back)."""
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT compliance_caseload_checkpoints_rebuild()")
            found = checkpoint_rows()
            raise Rollback
    except Rollback:
        return found


class Rollback(Exception):
    pass


@pytest.fixture
def many(alice, charlie):
    """More open cases than a statement may move before the checkpoints are rebuilt (equal names, birthdays and due
    dates among them), and a few closed, written straight to the summary."""
    day = today()
    people = [YoungPersonFactory(pa=alice if n % 2 else charlie, name=f"Name {n % 40}",
                                 date_of_birth=day - dt.timedelta(days=7000 + n % 30)) for n in range(2 * REBUILD_ABOVE)]
    CaseloadSummary.objects.bulk_create(
        CaseloadSummary(young_person=p, ref=p.ref, name=p.name, date_of_birth=p.date_of_birth, closed=n % 50 == 7,
                        urgency=(Urgency.OVERDUE, Urgency.DUE_SOON, Urgency.OK, Urgency.NOTHING_DUE)[n % 4],
                        next_due=None if n % 4 == 3 else day + dt.timedelta(days=n % 60 - 20), overdue=0, due_soon=0)
        for n, p in enumerate(people))
    rebuild(7)
    return people


def test_v4_a_new_days_many_moves_rebuild_only_the_due_orders_and_leave_what_a_full_rebuild_does(many):
    """The night (issue 16): one statement moves more than REBUILD_ABOVE cases in the urgency and due-date orders
    and none in the name and age orders. Those orders' checkpoints are not rebuilt (the same rows), and every order's
    checkpoints are what a full rebuild of all five leaves; the pages are the OFFSET query's."""
    kept = set(CaseloadCheckpoint.objects.filter(order__in=["name", "dob"]).values_list("pk", flat=True))
    moved = set(CaseloadCheckpoint.objects.exclude(order__in=["name", "dob"]).values_list("pk", flat=True))
    assert CaseloadSummary.objects.filter(next_due__isnull=False).count() > REBUILD_ABOVE  # all of them move
    CaseloadSummary.objects.update(  # every case's urgency and due date move (V2, V4: a new day)
        urgency=Case(When(urgency=Urgency.OK, then=Value(Urgency.DUE_SOON)),
                     When(urgency=Urgency.DUE_SOON, then=Value(Urgency.OVERDUE)), default=F("urgency"),
                     output_field=CaseloadSummary._meta.get_field("urgency")),
        next_due=F("next_due") - dt.timedelta(days=9))
    assert set(CaseloadCheckpoint.objects.filter(order__in=["name", "dob"]).values_list("pk", flat=True)) == kept
    assert not moved & set(CaseloadCheckpoint.objects.values_list("pk", flat=True))  # rebuilt
    assert checkpoint_rows() == rebuilt_rows()
    for sort in SORT_INDEX:
        for start in (0, 1, 6, 7, 8, 100, 199, 240):
            assert seek_ids(sort, start, 5) == offset_ids(sort, start, 5), (sort, start)


def test_v4_many_moves_that_rename_or_close_rebuild_those_orders_too(many):
    before = set(CaseloadCheckpoint.objects.values_list("pk", flat=True))
    CaseloadSummary.objects.filter(pk=many[3].pk).update(name="Aaron First")  # the name order moves
    CaseloadSummary.objects.update(next_due=F("next_due") + dt.timedelta(days=2), name=Concat(F("name"), Value("")))
    orders = set(CaseloadCheckpoint.objects.exclude(pk__in=before).values_list("order", flat=True))
    assert orders == {"urgency", "next_due", "next_due_desc"}  # the rename alone was a shift (one row)
    CaseloadSummary.objects.update(next_due=F("next_due") + dt.timedelta(days=1),
                                   name=Case(When(pk=many[5].pk, then=Value("Zed Last")), default=F("name")))
    assert checkpoint_rows() == rebuilt_rows()
    before = set(CaseloadCheckpoint.objects.values_list("pk", flat=True))
    CaseloadSummary.objects.update(next_due=F("next_due") + dt.timedelta(days=1),
                                   closed=Case(When(pk=many[8].pk, then=Value(True)), default=F("closed")))  # noqa: FBT003
    assert not before & set(CaseloadCheckpoint.objects.values_list("pk", flat=True))  # a closure moves every order
    assert checkpoint_rows() == rebuilt_rows()
    for sort in SORT_INDEX:
        for start in (0, 7, 13, 120, 230):
            assert seek_ids(sort, start, 5) == offset_ids(sort, start, 5), (sort, start)
