"""core.prepared (issue 16): a query built and compiled once per process, sent again with other values."""

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from careleavers.models import Cover, YoungPerson
from core.prepared import DATE, INT, TEXT, Ids, Prepared
from core.rules import _pa_ids, visibility_of, young_people_seen_as
from tests.careleavers.helpers import today, young_person

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared only on PostgreSQL")


def _people(pa_id, born_after, ids):
    return (YoungPerson.objects.filter(pa_id=pa_id, date_of_birth__gt=born_after, pk__in=ids)
            .order_by("ref").values_list("pk", "name", "date_of_birth"))


def test_rows_are_the_querysets_rows_for_any_values(alice, charlie):
    people = [young_person(alice, name=f"A{n}", recompute=False) for n in range(4)]
    theirs = young_person(charlie, name="C", recompute=False)
    prepared = Prepared(_people, pa_id=INT, born_after=DATE, ids=Ids(5))
    for pa, ids in ((alice, [p.pk for p in people]), (alice, [people[0].pk]), (charlie, [theirs.pk, people[1].pk])):
        for born_after in (dt.date(1990, 1, 1), people[0].date_of_birth):
            expected = list(_people(pa.pk, born_after, ids))
            assert prepared.rows(pa_id=pa.pk, born_after=born_after, ids=ids) == expected


def test_a_text_value_gives_the_querysets_rows(alice, charlie):
    """TEXT (a keyset's ref, issue 16): compared as it is given, quotes and all."""
    for ref in ("R-1", "R-2", "R-3", "O'Brien"):
        young_person(alice if ref != "R-3" else charlie, ref=ref, recompute=False)

    def after(pa_id, ref):
        return YoungPerson.objects.filter(pa_id=pa_id, ref__gt=ref).order_by("ref").values_list("ref", flat=True)

    prepared = Prepared(after, pa_id=INT, ref=TEXT)
    for pa, ref in ((alice, ""), (alice, "R-1"), (alice, "R-2"), (charlie, "R"), (alice, "O"), (alice, "zzz' OR 1=1 --")):
        expected = list(after(pa.pk, ref))
        assert [row[0] for row in prepared.rows(pa_id=pa.pk, ref=ref)] == expected
    assert prepared.bigint() == [0]  # the id only: the ref is sent as text


@on_postgresql
def test_a_text_value_changed_before_it_reaches_the_sql_is_refused():
    prepared = Prepared(lambda ref: YoungPerson.objects.filter(ref__startswith=ref).values_list("pk"), ref=TEXT)
    with pytest.raises(ImproperlyConfigured, match="transformed"):
        prepared.rows(ref="R")


@on_postgresql
def test_the_query_is_built_twice_once_then_reused(alice):
    built = []

    def build(pa_id):
        built.append(pa_id)
        return YoungPerson.objects.filter(pa_id=pa_id).values_list("pk")

    prepared = Prepared(build, pa_id=INT)
    for _ in range(3):
        prepared.rows(pa_id=alice.pk)
    assert len(built) == 2  # two sets of stand-ins, then never again
    assert all(value < 0 for value in built)  # stand-ins no real id has


@on_postgresql
def test_a_value_changed_before_it_reaches_the_sql_is_refused():
    prepared = Prepared(lambda today: YoungPerson.objects.filter(date_of_birth__lt=today - dt.timedelta(days=365))
                        .values_list("pk"), today=DATE)
    with pytest.raises(ImproperlyConfigured, match="transformed"):
        prepared.rows(today=today())


@on_postgresql
def test_sql_that_depends_on_a_value_is_refused():
    def build(pa_id):
        people = YoungPerson.objects.filter(pa_id=pa_id)
        return (people.filter(vulnerable=True) if pa_id > -150_000_000 else people).values_list("pk")  # the rounds differ

    with pytest.raises(ImproperlyConfigured, match="depends on its values"):
        Prepared(build, pa_id=INT).rows(pa_id=1)


@on_postgresql
def test_a_value_left_out_of_the_sql_is_refused():
    with pytest.raises(ImproperlyConfigured, match="not in the SQL"):
        Prepared(lambda pa_id, today: YoungPerson.objects.filter(pa_id=pa_id).values_list("pk"),
                 pa_id=INT, today=DATE).rows(pa_id=1, today=today())


def test_too_many_ids_are_refused():
    with pytest.raises(ValueError, match="between 1 and 2"):
        Prepared(lambda ids: YoungPerson.objects.filter(pk__in=ids).values_list("pk"), ids=Ids(2)).rows(ids=[1, 2, 3])


def test_a_pas_prepared_visibility_is_the_rule_built_afresh(alice, charlie):
    """Own cases, today's cover and nothing else (the rule's query, core.rules._pa_ids, built with the real values)."""
    mine = young_person(alice, name="Mine", recompute=False)
    covered = young_person(charlie, name="Covered", recompute=False)
    ended = young_person(charlie, name="Ended", recompute=False)
    young_person(charlie, name="Theirs", recompute=False)
    Cover.objects.create(young_person=covered, pa=alice, start=today(), end=today())
    Cover.objects.create(young_person=ended, pa=alice, start=today() - dt.timedelta(days=9),
                         end=today() - dt.timedelta(days=1))
    seen = set(young_people_seen_as(YoungPerson.objects.all(), visibility_of(alice.user), today=today())
               .values_list("pk", flat=True))
    assert seen == {mine.pk, covered.pk}
    assert seen == set(YoungPerson.objects.filter(pk__in=_pa_ids(YoungPerson, staff_id=alice.pk, today=today()))
                       .values_list("pk", flat=True))
