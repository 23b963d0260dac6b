"""Issue 16: large exports stream (a generator response) a chunk at a time, in keyset order, with a fixed
number of queries per chunk, and still log who they include."""

import csv
import io

import pytest
from django.db import connection
from django.urls import reverse

from core.models import AuditEvent, AuditKind
from oversight import selectors
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(on_as_of):
    return on_as_of


def _rows(response) -> list[list[str]]:
    assert response.streaming  # a StreamingHttpResponse: sent as it is read
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_longest_overdue_csv_streams_every_row_in_order_and_logs_who_it_includes(client, service, hana, today):
    login(client, hana)
    whole = selectors.longest_overdue(user=hana.user, today=today)
    response = client.get(reverse("oversight:export", args=["head-longest", "csv"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = _rows(response)
    assert rows[0][:4] == ["Team", "Personal Adviser", "Young person ref", "Young person"]
    assert [(r[2], r[4]) for r in rows[1:]] == [
        (r.young_person.ref, r.get_code_display()) for r in whole]
    assert len(rows) > 2
    logged = set(AuditEvent.objects.filter(kind=AuditKind.RECORD_VIEWED, data__page="oversight:head-longest.csv")
                 .values_list("young_person_id", flat=True))
    assert logged == {r.young_person_id for r in whole}


def test_longest_overdue_csv_sends_its_header_first_and_logs_each_young_person_once(client, service, hana, today):
    """The first bytes (the header line, nobody's data) leave before any query of the list; each chunk's young people
    are logged before their rows, once each per download (issue 14, item 7), though several of their rows appear."""
    login(client, hana)
    whole = list(selectors.longest_overdue(user=hana.user, today=today))
    assert len({r.young_person_id for r in whole}) < len(whole)  # someone has two overdue items
    content = iter(client.get(reverse("oversight:export", args=["head-longest", "csv"])).streaming_content)
    assert next(content).decode("utf-8-sig").startswith("Team,Personal Adviser,Young person ref")
    page = {"kind": AuditKind.RECORD_VIEWED, "data__page": "oversight:head-longest.csv"}
    assert not AuditEvent.objects.filter(**page).exists()
    assert b"".join(content)
    logged = list(AuditEvent.objects.filter(**page).values_list("young_person_id", flat=True))
    assert sorted(logged) == sorted({r.young_person_id for r in whole})


def test_longest_overdue_chunks_follow_on_without_gaps_or_repeats(service, hana, today, django_assert_num_queries):
    whole = [(r.due, r.young_person.ref, r.code) for r in selectors.longest_overdue(user=hana.user, today=today)]
    assert len(whole) >= 3
    chunks = selectors.longest_overdue_chunks(user=hana.user, today=today, size=2)
    streamed = []
    for chunk in chunks:
        assert len(chunk) <= 2
        streamed += [(r.due, r.young_person.ref, r.code) for r in chunk]
    assert streamed == whole


def test_each_chunk_costs_the_same_queries(service, hana, today, django_assert_num_queries):
    chunks = selectors.longest_overdue_chunks(user=hana.user, today=today, size=1)
    # the chunk's rows with their people, PA and team / the chunk's latest updates / savepoint pair; on PostgreSQL
    # also SET LOCAL jit = off
    for _ in range(2):
        with django_assert_num_queries(5 if connection.vendor == "postgresql" else 4):
            next(chunks)


def test_longest_overdue_sends_a_small_first_chunk_then_whole_ones(service, hana, today):
    """Issue 16, item 2: the first rows follow the header at once (a small first chunk), then full chunks."""
    whole = [(r.due, r.young_person.ref, r.code) for r in selectors.longest_overdue(user=hana.user, today=today)]
    assert len(whole) >= 4
    chunks = list(selectors.longest_overdue_chunks(user=hana.user, today=today, size=3, first=1))
    assert [len(c) for c in chunks[:2]] == [1, 3]
    assert [(r.due, r.young_person.ref, r.code) for c in chunks for r in c] == whole
    assert selectors.EXPORT_FIRST_CHUNK < selectors.EXPORT_CHUNK
