"""The whole service's caseload read from the checkpoints PostgreSQL keeps (issue 16, compliance.CaseloadCheckpoint):
every page of every sort holds exactly the rows of the plain OFFSET query over the summary's index, after every
kind of write to the summary (V4). Checkpoints every 2 or 3 open cases here, so that most pages start from one
that the writes have moved."""

import datetime as dt
import itertools

import pytest
from django.db import connection

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
