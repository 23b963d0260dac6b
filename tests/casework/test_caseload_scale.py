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
    upsert = next(q for q in queries.captured_queries if "INSERT INTO compliance_caseloadsummary" in q["sql"])
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


@pytest.mark.parametrize("who", ["alice", "tess", "sol"])
def test_v2_v4_the_counts_at_the_top_are_todays_when_the_summary_was_yesterdays(client, alice, tess, sol, who):
    """Issue 16: the counts at the top read the summary's day with them (one query); a day the night has not run yet
    refreshes the summary first and counts again, for a PA, a Team Leader and the whole service, and the htmx
    fragment, which shows no counts, refreshes it all the same."""
    young_person(alice, name="Abe Soon", allocated_days_ago=50)  # visit due in about 6 days
    young_person(alice, name="Ben Ok", allocated_days_ago=10)
    recompute(today())
    reader = {"alice": alice, "tess": tess, "sol": sol}[who]
    login(client, reader)
    counts = client.get(reverse("caseload")).context["counts"]
    assert (counts["overdue"], counts["overdue_people"], counts["due_soon"]) == (0, 0, 1)
    later = today() + dt.timedelta(days=40)
    with time_machine.travel(later, tick=False):
        login(client, reader)
        counts = client.get(reverse("caseload")).context["counts"]
        assert SummaryDate.objects.get().as_of == later
        # V4: Abe's visit is overdue now; V2: Ben's window has opened.
        assert (counts["overdue"], counts["overdue_people"], counts["due_soon"]) == (1, 1, 1)
    with time_machine.travel(later + dt.timedelta(days=1), tick=False):
        login(client, reader)
        response = client.get(reverse("caseload"), HTTP_HX_REQUEST="true")
        assert "summary-number" not in response.content.decode()  # the fragment: no counts
        assert SummaryDate.objects.get().as_of == later + dt.timedelta(days=1)


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
    # session / user with their staff record (issue 16: one query) / the summary's totals (everyone has a row; the
    # open cases; the counts at the top) with the day the summary is true for (issue 16: one query, 11 -> 10) / the
    # page's people, whose ids a subquery reads from the
    # summary's index for the sort / their
    # requirement rows / their in-touch checks / coming up / the teams for the filter (their ids and names, one
    # query: no count) / savepoint pair.
    # Closed cases leave the caseload (issue 11, item 8): the summary marks them, and its indexes start with the
    # mark, so the whole service's open cases page over an index alone at any page and sort.
    for sort in ("", "due", "-due", "-status", "name", "-name", "age", "-age"):
        with django_assert_num_queries(10):
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


# --- issue 16: the whole service's open cases page over the summary's indexes -------------------------------


def test_closing_and_reopening_move_the_summary_mark_in_their_transaction(client, tess, alice, sol):
    """The closed mark the whole service's caseload pages on follows case_close and case_reopen at once (their
    recompute refreshes the row in the same transaction), and the name and date of birth come with it."""
    from careleavers.models import ClosureReason
    from compliance import services

    yp = young_person(alice, name="Abe Close", age=19)
    recompute(today())
    row = CaseloadSummary.objects.get(pk=yp.pk)
    assert (row.closed, row.name, row.date_of_birth) == (False, "Abe Close", yp.date_of_birth)
    services.case_close(young_person=yp, actor=tess, closed_on=today(), reason=ClosureReason.MOVED_AWAY,
                        details="Moved to Leeds")
    assert CaseloadSummary.objects.get(pk=yp.pk).closed
    login(client, sol)
    response = client.get(reverse("caseload"))
    assert "Abe Close" not in names(response) and response.context["page"].paginator.count == 0
    services.case_reopen(young_person=yp, actor=tess, reopened_on=today(), pa=alice, reason="Came back")
    assert not CaseloadSummary.objects.get(pk=yp.pk).closed
    assert names(client.get(reverse("caseload"))) == ["Abe Close"]


def test_a_case_closing_on_a_later_day_stays_until_that_day(client, alice, sol):
    """closed_on in the future (an import) is open until then: the summary's day decides the mark."""
    yp = young_person(alice, name="Cara Later")
    type(yp).objects.filter(pk=yp.pk).update(closed_on=today() + dt.timedelta(days=3))
    recompute(today())
    assert not CaseloadSummary.objects.get(pk=yp.pk).closed
    login(client, sol)
    assert names(client.get(reverse("caseload"))) == ["Cara Later"]
    with time_machine.travel(today() + dt.timedelta(days=3), tick=False):
        login(client, sol)
        assert names(client.get(reverse("caseload"))) == []  # the day's refresh marked it closed
        assert CaseloadSummary.objects.get(pk=yp.pk).closed


# --- issue 16: the night refreshes only the summary rows that can have moved ----------------------------------


def _visit_today(yp) -> None:
    """A completed visit recorded behind the engine's back (no incremental recompute), as the night finds it."""
    from contacts.models import Contact, Method, Outcome, With

    Contact.objects.create(young_person=yp, date=today(), method=Method.HOME_VISIT, outcome=Outcome.COMPLETED,
                           with_whom=With.YOUNG_PERSON, note="Visit", recorded_by=yp.pa)


def test_v4_the_night_refreshes_the_people_whose_rows_changed_and_leaves_the_others_untouched(alice):
    kept = young_person(alice, name="Abe Kept", allocated_days_ago=10)
    visited = young_person(alice, name="Cara Visited", allocated_days_ago=80)  # visit overdue
    recompute(today())
    # Both stored rows are made wrong here: only a refresh that reaches a row puts it right.
    CaseloadSummary.objects.filter(pk__in=[kept.pk, visited.pk]).update(due_soon=9)
    _visit_today(visited)
    recompute(today())  # the same day: Cara's requirement rows change, Abe's do not
    assert CaseloadSummary.objects.get(pk=kept.pk).due_soon == 9  # untouched
    refreshed = CaseloadSummary.objects.get(pk=visited.pk)
    assert refreshed.due_soon != 9 and refreshed.next_due > today()  # the visit moved her most urgent date on
    refresh_summary(today(), full=True)  # everyone, as before issue 16's incremental refresh
    assert CaseloadSummary.objects.get(pk=kept.pk).due_soon != 9
    again = CaseloadSummary.objects.get(pk=visited.pk)
    assert (again.urgency, again.next_due, again.overdue, again.due_soon) == (
        refreshed.urgency, refreshed.next_due, refreshed.overdue, refreshed.due_soon)


def test_v4_a_new_day_moves_the_urgency_it_passes_and_flips_the_closed_mark(alice):
    soon = young_person(alice, name="Abe Soon", allocated_days_ago=50)  # visit due in about 6 days
    closing = young_person(alice, name="Cara Closing")
    type(closing).objects.filter(pk=closing.pk).update(closed_on=today() + dt.timedelta(days=7))
    recompute(today())
    assert CaseloadSummary.objects.get(pk=soon.pk).urgency == Urgency.DUE_SOON
    assert not CaseloadSummary.objects.get(pk=closing.pk).closed
    later = today() + dt.timedelta(days=7)
    refresh_summary(later)  # no requirement row changed: only the day moved
    assert SummaryDate.objects.get().as_of == later
    assert CaseloadSummary.objects.get(pk=soon.pk).urgency == Urgency.OVERDUE  # V4: the due date is passed
    assert CaseloadSummary.objects.get(pk=closing.pk).closed
    refresh_summary(today())  # and back (a run for another night is followed by today's)
    assert CaseloadSummary.objects.get(pk=soon.pk).urgency == Urgency.DUE_SOON
    assert not CaseloadSummary.objects.get(pk=closing.pk).closed


def test_v4_the_night_gives_a_new_person_a_row_and_follows_a_changed_record(alice):
    renamed = young_person(alice, name="Abe Old")
    recompute(today())
    new = YoungPersonFactory(pa=alice, name="Zoe New")  # recorded without a recompute: no row yet
    born = renamed.date_of_birth - dt.timedelta(days=3)
    type(renamed).objects.filter(pk=renamed.pk).update(name="Abe Renamed", date_of_birth=born)  # no recompute either
    refresh_summary(today())  # the same day, no requirement row changed
    assert CaseloadSummary.objects.get(pk=new.pk).name == "Zoe New"
    row = CaseloadSummary.objects.get(pk=renamed.pk)
    assert (row.name, row.date_of_birth) == ("Abe Renamed", born)


SERVICE_ORDERS = {  # what each sort means, worked out here from the people and their summary rows
    "status": lambda p, s: (s.urgency, s.next_due is None, s.next_due or dt.date.min, p.ref),
    "-status": lambda p, s: (-s.urgency, s.next_due is None, -(s.next_due or dt.date.min).toordinal(), _desc(p.ref)),
    "due": lambda p, s: (s.next_due is None, s.next_due or dt.date.min, p.ref),
    "-due": lambda p, s: (s.next_due is None, -(s.next_due or dt.date.min).toordinal(), p.ref),
    "name": lambda p, s: (p.name, p.ref),
    "-name": lambda p, s: (_desc(p.name), _desc(p.ref)),
    "age": lambda p, s: (-p.date_of_birth.toordinal(), _desc(p.ref)),
    "-age": lambda p, s: (p.date_of_birth, p.ref),
}


def _desc(text: str) -> tuple:
    return (*tuple(-ord(c) for c in text), 1)


@pytest.mark.parametrize("sort", list(SERVICE_ORDERS))
def test_the_whole_services_pages_hold_every_open_case_once_in_the_order_asked(client, alice, charlie, tess, sol,
                                                                                 sort, monkeypatch):
    """Page by page (two a page here), the whole service's open cases in each sort's order, with equal names and
    dates broken by ref, a closed case on none of them, and the same order as the filtered list's (people joined
    to their summary rows)."""
    from careleavers.models import ClosureReason
    from compliance import services

    monkeypatch.setattr("casework.views.PAGE_SIZE", 2)
    people = [young_person(alice if n % 2 else charlie, name=("Sam Same" if n < 3 else f"Name {7 - n}"),
                           age=18 + n % 3, allocated_days_ago=(20, 50, 80, 300, 10, 50, 2000)[n]) for n in range(7)]
    services.case_close(young_person=people[3], actor=tess, closed_on=today(), reason=ClosureReason.MOVED_AWAY,
                        details="Moved")
    recompute(today())
    summaries = {s.young_person_id: s for s in CaseloadSummary.objects.all()}
    open_people = [p for p in people if p != people[3]]
    for p in open_people:
        p.refresh_from_db()
    expected = [p.pk for p in sorted(open_people, key=lambda p: SERVICE_ORDERS[sort](p, summaries[p.pk]))]
    login(client, sol)
    listed = []
    for page in (1, 2, 3):
        response = client.get(reverse("caseload"), {"sort": sort, "page": page})
        assert response.context["page"].paginator.count == 6
        listed += [yp.pk for yp in response.context["page"]]
    assert listed == expected
    # the same order where the list is filtered (here by the circumstance everyone has), over the joined people
    circumstance = open_people[0].circumstance
    assert all(p.circumstance == circumstance for p in open_people)
    filtered = []
    for page in (1, 2, 3):
        filtered += [yp.pk for yp in client.get(reverse("caseload"), {"sort": sort, "page": page,
                                                                       "circumstance": circumstance}).context["page"]]
    assert filtered == expected


def test_the_caseload_rows_escape_what_is_recorded_and_keep_their_badges(client, alice):
    """The rows are written in one pass (casework.tables.CaseloadTable.html_rows): recorded text is escaped, the
    badges are markup, and each cell keeps its data-priority for the stacked layout on a phone."""
    young_person(alice, name="<b>Maya</b> & co", vulnerable=True, allocated_days_ago=80)
    login(client, alice)
    body = client.get(reverse("caseload")).content.decode()
    assert "&lt;b&gt;Maya&lt;/b&gt; &amp; co</a>" in body and "<b>Maya</b>" not in body
    assert '</a> <span class="badge text-bg-dark">Vulnerable</span></td>' in body
    assert '<td data-priority="2"><span class="badge status-overdue">Overdue</span></td>' in body
    assert re.search(r'<tr class="even"><td data-priority="1"><a href="/young-people/\d+/">', body)


@pytest.mark.parametrize("sort", list(SERVICE_ORDERS))
def test_the_services_late_pages_are_read_from_the_indexs_other_end_with_the_same_rows(client, alice, charlie, sol,
                                                                                       sort, monkeypatch):
    """Issue 16: a page past the middle of the whole service's open cases skips the entries after it, from the
    summary index's other end (the order reversed), not those before it (SQLite; PostgreSQL reads from its
    checkpoints); every page, the partial last one too, holds the rows the filtered list (people joined to their
    summary rows) has there."""
    monkeypatch.setattr("casework.views.PAGE_SIZE", 2)
    for n in range(7):
        young_person(alice if n % 2 else charlie, name=("Sam Same" if n < 3 else f"Name {7 - n}"), age=18 + n % 3,
                     allocated_days_ago=(20, 50, 80, 300, 10, 50, 2000)[n])
    recompute(today())
    login(client, sol)
    circumstance = CaseloadSummary.objects.values_list("young_person__circumstance", flat=True).first()
    skipped = []

    def offsets(execute, sql, params, many, context):
        if "LIMIT %s OFFSET %s)" in sql:  # the page's ids, the subquery's limit and offset its last parameters
            skipped.append((sql.split(" LIMIT %s OFFSET %s)")[0].rsplit("ORDER BY", 1)[1], params[-2:]))
        return execute(sql, params, many, context)

    for page in (1, 2, 3, 4):
        with connection.execute_wrapper(offsets):
            listed = [yp.pk for yp in client.get(reverse("caseload"), {"sort": sort, "page": page}).context["page"]]
        filtered = client.get(reverse("caseload"), {"sort": sort, "page": page, "circumstance": circumstance})
        assert listed == [yp.pk for yp in filtered.context["page"]]
    if connection.vendor == "postgresql":
        assert skipped == []  # read from the checkpoints instead (tests/compliance/test_checkpoints.py)
        return
    # 7 open cases: pages 1 and 2 skip 0 and 2 from the start; page 3 skips the 1 after it, page 4 (1 row) none
    assert [tuple(params) for _, params in skipped] == [(2, 0), (2, 2), (2, 1), (1, 0)]
    assert skipped[0][0] != skipped[2][0] == skipped[3][0]  # the order reversed
