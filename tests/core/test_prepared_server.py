"""core.prepared (issue 16): on PostgreSQL the queries compiled once per process run as server-side prepared
statements (settings.DATABASE_PREPARED), with the rows, markup and query counts of the client-bound path; the
setting off gives that path back. The generic plans PostgreSQL then chooses were compared with the custom ones on
the 100 000 service (docs/issue16-sixth-pass.md)."""

import re

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from careleavers.models import YoungPerson
from core.prepared import INT, Ids, Prepared, execute, server_prepared
from tests.careleavers.helpers import young_person
from tests.conftest import login

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"),
]

TOKENS = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": "|once_token" value=")[^"]+')


def _statements() -> dict[str, list[str]]:
    """The session's prepared statements: their SQL and parameter types."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, parameter_types::text[] FROM pg_prepared_statements")
        return dict(cursor.fetchall())


def _people(pa_id, ids):
    return YoungPerson.objects.filter(pa_id=pa_id, pk__in=ids).order_by("ref").values_list("pk", "name", "ref")


def test_the_setting_is_on_here_and_gives_the_connection_a_threshold():
    assert server_prepared(connection)
    assert connection.connection is None or connection.connection.prepare_threshold is not None
    with override_settings(DATABASE_PREPARED=False):
        assert not server_prepared(connection)


def test_a_prepared_read_is_a_statement_on_the_server_with_the_querysets_rows(alice, charlie):
    people = [young_person(alice, name=f"A{n}", recompute=False) for n in range(3)]
    theirs = young_person(charlie, name="C", recompute=False)
    prepared = Prepared(_people, pa_id=INT, ids=Ids(4))
    for pa, ids in ((alice, [p.pk for p in people]), (charlie, [theirs.pk, people[0].pk]), (alice, [people[2].pk])):
        expected = list(_people(pa.pk, ids))
        assert prepared.rows(pa_id=pa.pk, ids=ids) == expected
        with override_settings(DATABASE_PREPARED=False):
            assert prepared.rows(pa_id=pa.pk, ids=ids) == expected
    sql, _params = prepared.sql(pa_id=alice.pk, ids=[people[0].pk])
    server_sql = sql.replace("%s", "$%d") % tuple(range(1, sql.count("%s") + 1))
    statements = _statements()
    assert server_sql in statements  # prepared once, whatever the ids
    assert statements[server_sql] == ["bigint"] * 5  # ids are bigint whatever their size: one statement


def test_ids_of_any_size_share_one_statement(alice):
    yp = young_person(alice, recompute=False)
    prepared = Prepared(lambda pa_id: YoungPerson.objects.filter(pa_id=pa_id).values_list("pk"), pa_id=INT)
    before = len(_statements())
    for pa_id in (alice.pk, 40_000, 5_000_000_000):  # smallint, integer and bigint to psycopg
        assert prepared.rows(pa_id=pa_id) == ([(yp.pk,)] if pa_id == alice.pk else [])
    assert len(_statements()) == before + 1


def test_the_setting_off_prepares_nothing(alice):
    yp = young_person(alice, recompute=False)
    prepared = Prepared(lambda pa_id: YoungPerson.objects.filter(pa_id=pa_id).values_list("pk"), pa_id=INT)
    before = _statements()
    with override_settings(DATABASE_PREPARED=False):
        assert prepared.rows(pa_id=alice.pk) == [(yp.pk,)]
    assert _statements() == before


def test_limit_and_offset_are_parameters_of_the_statement(alice):
    people = [young_person(alice, name=f"A{n}", recompute=False) for n in range(5)]
    prepared = Prepared(lambda pa_id: YoungPerson.objects.filter(pa_id=pa_id).order_by("ref").values_list("pk"), pa_id=INT)
    expected = [(p.pk,) for p in sorted(people, key=lambda p: p.ref)]
    assert prepared.rows(pa_id=alice.pk, limit=2, offset=1) == expected[1:3]
    assert prepared.rows(pa_id=alice.pk, limit=3, offset=3) == expected[3:]
    assert sum("LIMIT $2 OFFSET $3" in sql for sql in _statements()) == 1


def test_errors_inside_an_atomic_block_are_djangos_and_the_block_is_refused_after(alice):
    yp = young_person(alice, recompute=False)
    prepared = Prepared(lambda pa_id: YoungPerson.objects.filter(pa_id=pa_id).values_list("pk"), pa_id=INT)
    with pytest.raises(DatabaseError, match="division by zero"), transaction.atomic():
        execute(connection, "SELECT 1 / %s", [0], bigint=[0])  # prepared, fails when executed
    # The savepoint rolled back (psycopg may then forget its statements): the prepared read is sent again.
    assert prepared.rows(pa_id=alice.pk) == [(yp.pk,)]
    with transaction.atomic():
        with pytest.raises(DatabaseError), transaction.atomic(savepoint=False):
            execute(connection, "SELECT 1 / %s", [0])
        with pytest.raises(TransactionManagementError):  # Django's wrapper: a broken transaction is refused
            prepared.rows(pa_id=alice.pk)
        transaction.set_rollback(True)
    assert prepared.rows(pa_id=alice.pk) == [(yp.pk,)]


def _page(client, url) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return TOKENS.sub(r"\1-", response.content.decode()), len(queries)


def test_pages_are_the_same_markup_and_queries_prepared_or_not_and_leave_statements(client, alice):
    people = [young_person(alice, name=f"A{n}") for n in range(3)]
    login(client, alice)
    for url in (reverse("caseload"), reverse("young_person", args=[people[0].pk])):
        with override_settings(DATABASE_PREPARED=False):
            _page(client, url)  # compiled once per process (and anything read once a process)
            before = _statements()
            unprepared, unprepared_queries = _page(client, url)
            assert _statements() == before
        prepared, prepared_queries = _page(client, url)
        assert len(_statements()) > len(before)
        assert prepared == unprepared
        assert prepared_queries == unprepared_queries


def test_a_prepared_query_is_logged_as_djangos_cursor_logs_it(alice):
    yp = young_person(alice, recompute=False)
    prepared = Prepared(lambda pa_id: YoungPerson.objects.filter(pa_id=pa_id).values_list("pk"), pa_id=INT)
    logged = []
    for on in (True, False):
        with override_settings(DATABASE_PREPARED=on), CaptureQueriesContext(connection) as queries:
            assert prepared.rows(pa_id=alice.pk) == [(yp.pk,)]
        logged.append([query["sql"] for query in queries.captured_queries])
    assert logged[0] == logged[1]
    assert str(alice.pk) in logged[0][0]
