"""The caseload at national scale (issue 16) and as its users want it (issue 15, item 6): the summary
the engine keeps, sorts over an index, a fixed number of queries at any page, and a PA's queries that
read only their own rows."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.engine import recompute, refresh_summary
from compliance.models import CaseloadSummary, SummaryDate, Urgency
from tests.careleavers.helpers import today, young_person
from tests.conftest import login
from tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    return [yp.name for yp in response.context["page"]]


def test_v4_summary_follows_the_engine_and_rewrites_only_what_changed(alice):
    late = young_person(alice, name="Cara Late", allocated_days_ago=80)  # visit overdue
    ok = young_person(alice, name="Ben Ok", allocated_days_ago=10)
    summary = {s.young_person_id: s for s in CaseloadSummary.objects.all()}
    assert summary[late.pk].urgency == Urgency.OVERDUE and summary[late.pk].overdue >= 1
    assert summary[ok.pk].urgency == Urgency.OK and summary[ok.pk].overdue == 0
    assert summary[ok.pk].next_due == ok.requirements.order_by("due").first().due
    recompute(today())
    assert SummaryDate.objects.get().as_of == today()
    with CaptureQueriesContext(connection) as queries:
        refresh_summary(today())
    upsert = next(q for q in queries.captured_queries if "compliance_caseloadsummary" in q["sql"])
    assert "WHERE NOT" in upsert["sql"]  # unchanged rows are not rewritten (no table rewritten every night)


def test_v4_a_stale_summary_is_brought_up_to_date_before_the_caseload_sorts(client, alice):
    soon = young_person(alice, name="Abe Soon", allocated_days_ago=50)  # visit due in about 6 days
    young_person(alice, name="Ben Ok", allocated_days_ago=10)
    recompute(today())
    login(client, alice)
    assert names(client.get(reverse("caseload")))[0] == "Abe Soon"
    later = today() + dt.timedelta(days=40)
    with time_machine.travel(later, tick=False):
        # Nobody has run the night yet: Abe's visit is overdue now, and Ben's window has opened.
        login(client, alice)
        response = client.get(reverse("caseload"))
        assert names(response) == ["Abe Soon", "Ben Ok"]
        assert SummaryDate.objects.get().as_of == later
        assert CaseloadSummary.objects.get(pk=soon.pk).urgency == Urgency.OVERDUE


def test_caseload_sorts_by_age_status_and_due_and_finds_names_in_any_order(client, alice):
    young_person(alice, name="Maya Hussain", age=17, allocated_days_ago=80)
    young_person(alice, name="Omar Byrne", age=22, allocated_days_ago=10)
    login(client, alice)
    assert names(client.get(reverse("caseload"), {"sort": "age"})) == ["Maya Hussain", "Omar Byrne"]
    assert names(client.get(reverse("caseload"), {"sort": "-age"})) == ["Omar Byrne", "Maya Hussain"]
    assert names(client.get(reverse("caseload"), {"sort": "status"})) == ["Maya Hussain", "Omar Byrne"]
    assert names(client.get(reverse("caseload"), {"sort": "-status"})) == ["Omar Byrne", "Maya Hussain"]
    for search in ("Hussain Maya", "maya hussain", "huss"):
        assert names(client.get(reverse("caseload"), {"q": search})) == ["Maya Hussain"]
    assert names(client.get(reverse("caseload"), {"q": "Maya Byrne"})) == []
    body = client.get(reverse("caseload")).content.decode()
    assert "<td>17</td>" in body or ">17<" in body


def test_team_leader_sees_the_pa_column_and_a_pa_does_not(client, alice, tess):
    young_person(alice, name="Maya Hussain")
    def headings():
        body = client.get(reverse("caseload")).content.decode()
        return [h.strip() for h in re.findall(r'<th [^>]*scope="col"[^>]*>\s*(?:<a [^>]*>)?([^<]+)', body)]

    login(client, tess)
    assert "Personal Adviser" in headings()
    login(client, alice)
    assert "Personal Adviser" not in headings()
    assert "Age" in headings()


def _service(pa, other, size):
    for n in range(size):
        young_person(pa if n % 2 else other, allocated_days_ago=20 + n * 3)
    YoungPersonFactory(pa=other)  # recorded without a recompute: no summary row yet


@pytest.mark.parametrize("size", [6, 60])
def test_service_leaders_caseload_costs_the_same_queries_at_a_late_page(client, alice, charlie, sol, size,
                                                                        django_assert_num_queries):
    _service(alice, charlie, size)
    recompute(today())
    login(client, sol)
    client.get(reverse("caseload"))  # everyone has a summary row from here on
    last = (size + 1 + 24) // 25
    # session / user / staff / summary date / the summary's totals (everyone has a row; the open cases; the counts
    # at the top) / the page's people, whose ids a subquery reads from the summary's index for the sort / their
    # requirement rows / their in-touch checks / coming up / teams (the filter: count, choices) / savepoint pair.
    # Closed cases leave the caseload (issue 11, item 8): the summary marks them, and its indexes start with the
    # mark, so the whole service's open cases page over an index alone at any page and sort.
    for sort in ("", "due", "-due", "-status", "name", "-name", "age", "-age"):
        with django_assert_num_queries(13):
            response = client.get(reverse("caseload"), {"page": last, "sort": sort})
        assert response.status_code == 200
    everyone = []
    for page in range(1, last + 1):
        everyone += [yp.pk for yp in client.get(reverse("caseload"), {"page": page}).context["page"]]
    assert len(everyone) == len(set(everyone)) == size + 1  # the one without a summary row included


def test_a_person_recorded_without_a_recompute_still_appears_for_the_service(client, alice, sol):
    young_person(alice, name="Abe Soon", allocated_days_ago=50)
    YoungPersonFactory(pa=alice, name="Zoe New")
    recompute(today())
    CaseloadSummary.objects.filter(young_person__name="Zoe New").delete()
    login(client, sol)
    assert "Zoe New" in names(client.get(reverse("caseload")))


def test_a_pas_caseload_reads_only_their_own_rows(client, alice, charlie):
    """Issue 16: a second PA's young people are a canary; no query of the PA's page names them."""
    mine = [young_person(alice, name=f"Mine {n}", allocated_days_ago=30 + n) for n in range(3)]
    theirs = [young_person(charlie, name=f"Canary {n}", allocated_days_ago=30 + n) for n in range(3)]
    recompute(today())
    login(client, alice)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("caseload"))
    assert sorted(names(response)) == sorted(yp.name for yp in mine)
    body = response.content.decode()
    assert all(yp.name not in body and yp.ref not in body for yp in theirs)
    for query in queries.captured_queries:
        sql = query["sql"]
        for yp in theirs:
            assert f"({yp.pk})" not in sql and f" {yp.pk}," not in sql and yp.ref not in sql
        if 'FROM "compliance_caseloadsummary"' in sql or 'FROM "compliance_requirement"' in sql \
                or 'FROM "contacts_intouchcheck"' in sql:
            # every read of case rows is narrowed to the PA's people (their ids, or their pa_id)
            assert "WHERE" in sql and ("pa_id" in sql or 'young_person_id" IN (' in sql), sql
