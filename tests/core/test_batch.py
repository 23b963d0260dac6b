"""core.batch (issue 16): the young person's page's compiled reads sent in one round trip give each read's instances
as the read alone gives them (every field, related object, annotation, prefetched list and `known` object), on
PostgreSQL in one query; a read with a None value, and every read elsewhere, runs on its own."""

import datetime as dt
from collections import Counter

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from core.batch import Read, objects_together, one_round_trip, read_objects
from tests.core.test_prepared_models import _reads, _state, record  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def _alone(reads):
    return [[_state(o) for o in read_objects(read)] for read in reads]


def test_the_reads_together_give_each_reads_instances(record, django_assert_num_queries):  # noqa: F811
    reads = [Read(prepared, values, known) for prepared, values, known in _reads(record, dt.date.today())]
    expected = _alone(reads)
    assert all(expected)  # every read has rows to compare
    # On PostgreSQL one execute for all of them and the arrangements' two prefetches; elsewhere one query each.
    with django_assert_num_queries(3 if one_round_trip() else len(reads) + 2):
        found = objects_together(reads)
    assert [[_state(o) for o in objects] for objects in found] == expected
    assert all(o.young_person is record for read, objects in zip(reads, found, strict=True) if read.known for o in objects)


def test_a_read_with_a_none_value_runs_on_its_own(record, django_assert_num_queries):  # noqa: F811
    from careleavers.selectors import _prepared_young_person
    from contacts.timeline import prepared_contacts

    reads = [
        Read(prepared_contacts(201), {"young_person_id": record.pk}, {"young_person": record}),
        Read(_prepared_young_person("pa"), {"pk": record.pk, "key": None, "today": dt.date.today()}),
        Read(prepared_contacts(201), {"young_person_id": record.pk}),
    ]
    expected = _alone(reads)
    with django_assert_num_queries(2 if one_round_trip() else 3):
        found = objects_together(reads)
    assert [[_state(o) for o in objects] for objects in found] == expected
    assert found[1] == []  # key None: the PA's read matches nobody, as the queryset built with None does


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one round trip only on PostgreSQL")
def test_a_server_binding_cursor_takes_each_read_on_its_own(record, settings, django_assert_num_queries):  # noqa: F811
    from contacts.timeline import prepared_contacts, prepared_escalations

    reads = [
        Read(prepared_contacts(201), {"young_person_id": record.pk}),
        Read(prepared_escalations(201), {"young_person_id": record.pk}),
    ]
    options = connection.settings_dict["OPTIONS"]
    options["server_side_binding"] = True
    try:
        assert not one_round_trip()
        with django_assert_num_queries(2):
            found = objects_together(reads)
    finally:
        del options["server_side_binding"]
    assert [[_state(o) for o in objects] for objects in found] == _alone(reads)


def _executions() -> dict[str, int]:
    """The session's prepared statements ($n text) and how many times each was executed."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
        return dict(cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_prepared_the_reads_go_in_one_pipeline_each_a_prepared_statement(record, settings):  # noqa: F811
    """DATABASE_PREPARED on: every read of the batch is executed as a statement prepared on the server (its planning
    kept from the sixth time), the batch one query logged with the text and values the client-bound execute logged,
    and the same instances."""
    from core.prepared import server_prepared

    reads = [Read(prepared, values, known) for prepared, values, known in _reads(record, dt.date.today())]
    expected = _alone(reads)
    server = Counter()
    for read in reads:
        sql = read.prepared.sql(**read.values)[0]
        server[sql.replace("%s", "$%d") % tuple(range(1, sql.count("%s") + 1))] += 1
    logged = {}
    for on in (False, True, True):
        settings.DATABASE_PREPARED = on
        assert server_prepared(connection) is on
        before = _executions()
        with CaptureQueriesContext(connection) as queries:
            found = objects_together(reads)
        after = _executions()
        assert [[_state(o) for o in objects] for objects in found] == expected
        logged[on] = [query["sql"] for query in queries.captured_queries]
        for statement, times in server.items():  # each read's statement executed once more, prepared, or not at all
            assert after.get(statement, 0) - before.get(statement, 0) == (times if on else 0)
    assert logged[True][0] == logged[False][0]  # the batch: one query, the same text and values
    assert len(logged[True]) == len(logged[False]) == 3  # with the arrangements' two prefetches


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_prepared_an_error_in_the_pipeline_is_djangos_and_breaks_the_block(alice):
    from core.prepared import execute_together

    with transaction.atomic():
        with pytest.raises(DatabaseError, match="division by zero"), transaction.atomic(savepoint=False):
            execute_together(connection, [("SELECT 1", [], ()), ("SELECT 1 / %s", [0], (0,)), ("SELECT %s", [2], (0,))])
        with pytest.raises(TransactionManagementError):  # a broken transaction is refused, as by any query
            execute_together(connection, [("SELECT %s", [1], (0,)), ("SELECT %s", [2], (0,))])
        transaction.set_rollback(True)
    assert execute_together(connection, [("SELECT %s", [1], (0,)), ("SELECT %s::text", ["b"], ())]) == [[(1,)], [("b",)]]
