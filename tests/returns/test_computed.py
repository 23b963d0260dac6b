"""Issue 16, item 2: the returns are worked out by a task and stored; the Returns page reads the stored
result with its date, in a fixed number of queries; a Service Leader's "Recompute now" queues the task."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from core.models import AuditEvent, AuditKind
from returns.computed import latest_computation, returns_compute
from returns.exports import build_returns
from returns.models import ReturnsComputation, ReturnsLackingRow
from returns.tasks import returns_compute_task
from tests.conftest import login
from tests.factories import YoungPersonFactory

from .data import YEAR, check

D = dt.date


@pytest.fixture
def people(alice, charlie):
    lacking = YoungPersonFactory(pa=alice, date_of_birth=D(2007, 6, 15), sex="", ethnicity="")
    other_team = YoungPersonFactory(pa=charlie, date_of_birth=D(2007, 8, 15), sex="F", ethnicity="", upn="UN2")
    complete = YoungPersonFactory(pa=alice, date_of_birth=D(2007, 7, 15), sex="M", ethnicity="WBRI", upn="UN2")
    check(complete, D(2025, 7, 15))
    return lacking, other_team, complete


def test_x1_task_stores_what_build_returns_gives(people):
    [pk] = returns_compute_task.delay(YEAR, "test run").get()
    computation = ReturnsComputation.objects.get(pk=pk)
    returns = build_returns(YEAR)
    assert (computation.year, computation.run) == (YEAR, "test run")
    assert (computation.oc3_count, computation.annex_a_count, computation.lacking_count) == (
        len(returns.oc3), len(returns.annex_a), len(returns.lacking))
    stored = [(row.young_person_id, row.ref, row.problems) for row in computation.rows.order_by("ref")]
    assert stored == [(yp.pk, yp.ref, messages) for yp, messages in returns.lacking]
    assert people[0].pk in {row[0] for row in stored}


def test_x1_a_new_computation_replaces_the_rows_of_the_year(people):
    first = returns_compute(year=YEAR, run="first")
    second = returns_compute(year=YEAR, run="second")
    assert latest_computation(YEAR) == second
    assert not ReturnsLackingRow.objects.filter(computation=first).exists()
    assert ReturnsLackingRow.objects.filter(computation=second).count() == second.lacking_count > 0


@time_machine.travel(dt.datetime(2026, 12, 2, 2, 14), tick=False)
def test_x1_page_shows_the_stored_result_with_its_date(client, sol, people):
    returns_compute(year=YEAR, run="nightly run of 2 Dec 2026")
    body = login(client, sol).get(reverse("returns:index"), {"year": YEAR}).content.decode()
    assert "Worked out at 02:14 on 2 Dec 2026 (nightly run of 2 Dec 2026)" in body
    assert people[0].ref in body and "Sex not recorded" in body


def test_x1_page_says_when_never_worked_out(client, sol, hana, people):
    body = login(client, sol).get(reverse("returns:index"), {"year": YEAR}).content.decode()
    assert "have not been worked out yet" in body and "Recompute now" in body
    assert "Worked out at" not in body
    body = login(client, hana).get(reverse("returns:index"), {"year": YEAR}).content.decode()
    assert "have not been worked out yet" in body and "Recompute now" not in body  # only a Service Leader asks


def test_x1_page_for_every_persona(client, alice, charlie, tess, sol, hana, people):
    returns_compute(year=YEAR, run="test")
    url = reverse("returns:index")
    for staff in (alice, charlie, tess):
        assert login(client, staff).get(url, {"year": YEAR}).status_code == 403
    for staff in (sol, hana):
        response = login(client, staff).get(url, {"year": YEAR})
        assert response.status_code == 200 and people[1].ref in response.content.decode()


def _lacking(alice, n):
    for i in range(n):
        YoungPersonFactory(pa=alice, date_of_birth=D(2007, 1 + i % 12, 1 + i % 28), sex="")


def test_x1_page_queries_fixed_at_two_sizes_and_any_page(client, sol, alice, django_assert_num_queries, monkeypatch):
    monkeypatch.setattr("returns.computed.PAGE_SIZE", 2)
    login(client, sol)
    url = reverse("returns:index")
    for n, total in ((3, 3), (40, 43)):
        _lacking(alice, n)
        computation = returns_compute(year=YEAR, run="test")
        assert computation.lacking_count == total
        refs = list(computation.rows.order_by("ref").values_list("ref", flat=True))
        # savepoint, session, user with their staff record (issue 16), the latest computation, its page of rows
        # (issue 16: keyset over ref, the count stored with the computation, not counted per visit), release: at the
        # first, a late and the last page
        for page in ({}, {"after": refs[-3]}, {"before": refs[-1]}, {"page": "last"}):
            with django_assert_num_queries(6):
                response = client.get(url, {"year": YEAR, **page})
            assert response.status_code == 200 and response.context["page"].count == total


def test_x1_lacking_list_pages_by_ref_with_links_that_stay_right(client, sol, alice, monkeypatch):
    """Issue 16: Next continues after the last ref shown, Previous ends before the first, Last is the last page;
    a link still continues after its ref when the list has changed underneath it."""
    monkeypatch.setattr("returns.computed.PAGE_SIZE", 2)
    _lacking(alice, 5)
    computation = returns_compute(year=YEAR, run="test")
    refs = list(computation.rows.order_by("ref").values_list("ref", flat=True))
    login(client, sol)
    url = reverse("returns:index")

    def shown(**page):
        response = client.get(url, {"year": YEAR, **page})
        return [row.ref for row in response.context["page"].rows], response.content.decode()

    first, body = shown()
    assert first == refs[:2] and f"after={refs[1]}" in body and "before=" not in body and "page=last" in body
    second, body = shown(after=refs[1])
    assert second == refs[2:4] and f"before={refs[2]}" in body and f"after={refs[3]}" in body
    assert shown(before=refs[2])[0] == refs[:2]
    last, body = shown(page="last")
    assert last == refs[3:] and "after=" not in body and f"before={refs[3]}" in body
    assert shown(after=refs[-1])[0] == []  # past the end: nothing, and no 500
    assert shown(after="zzz' OR 1=1 --")[0] == []  # a ref is only compared with refs
    YoungPersonFactory(pa=alice, date_of_birth=D(2007, 3, 3), sex="", ref="0-first")  # sorts before everyone
    returns_compute(year=YEAR, run="again")
    assert shown(after=refs[1])[0] == refs[2:4]  # the same page as before the new row


def test_x1_page_counts_only_whom_the_reader_sees(alice, charlie, people):
    """The stored count is the whole service's; a reader who sees fewer gets their own count (lacking_page)."""
    from careleavers.models import YoungPerson
    from returns.computed import lacking_page

    computation = returns_compute(year=YEAR, run="test")
    everyone = lacking_page(computation, YoungPerson.objects.all())
    assert everyone.count == computation.lacking_count == len(everyone.rows)
    alices = lacking_page(computation, YoungPerson.objects.filter(pa=alice))
    expected = list(computation.rows.filter(young_person__pa=alice).order_by("ref").values_list("young_person", flat=True))
    assert [row.young_person_id for row in alices.rows] == expected and alices.count == len(expected)
    assert people[0].pk in expected and people[1].pk not in expected and len(expected) < computation.lacking_count


def test_x1_recompute_now_queues_the_task_and_is_audited(client, sol, people, django_capture_on_commit_callbacks):
    login(client, sol)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = client.post(reverse("returns:recompute"), {"year": YEAR})
    assert len(queued) == 1  # the task is queued when the request commits
    assert response.status_code == 302 and response["Location"].endswith(f"?year={YEAR}")
    computation = latest_computation(YEAR)  # CELERY_TASK_ALWAYS_EAGER: the task has run
    assert computation is not None and computation.run == "asked for by Sol Singh"
    assert AuditEvent.objects.get(kind=AuditKind.RETURNS_RECOMPUTE_REQUESTED).data == {"year": YEAR}


@pytest.mark.parametrize("who", ["alice", "tess", "hana"])
def test_x1_only_a_service_leader_recomputes(client, request, who, people):
    response = login(client, request.getfixturevalue(who)).post(reverse("returns:recompute"), {"year": YEAR})
    assert response.status_code == 403
    assert not ReturnsComputation.objects.exists()
    assert not AuditEvent.objects.filter(kind=AuditKind.RETURNS_RECOMPUTE_REQUESTED).exists()


def test_x1_recompute_needs_a_year_and_a_post(client, sol, people):
    login(client, sol)
    assert client.get(reverse("returns:recompute")).status_code == 405
    assert client.post(reverse("returns:recompute"), {"year": "1900"}).status_code == 302
    assert not ReturnsComputation.objects.exists()


def test_x1_command_stores_the_returns(people):
    out = io.StringIO()
    call_command("compute_returns", "--year", str(YEAR), stdout=out)
    computation = latest_computation(YEAR)
    assert computation is not None and computation.run == "manage.py compute_returns"
    assert f"{computation.lacking_count} lack data" in out.getvalue()
