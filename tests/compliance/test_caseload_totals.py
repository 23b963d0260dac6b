"""The whole service's caseload totals kept by PostgreSQL's triggers (issue 16, compliance.CaseloadTotals): after
every kind of write to the young people and their summary rows they equal one pass over the summary (V2, V4)."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from compliance.engine import recompute, refresh_summary
from compliance.models import CaseloadSummary, CaseloadTotals
from compliance.selectors import kept_totals, open_case_totals, summary_totals
from compliance.services import case_close
from tests.careleavers.helpers import today, young_person
from tests.conftest import login
from tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the totals are kept by PostgreSQL's triggers (SQLite reads the pass)")


def assert_kept():
    kept, passed = kept_totals(), summary_totals()
    assert {k: int(v or 0) for k, v in kept.items()} == {k: int(v or 0) for k, v in passed.items()}


def test_v4_totals_follow_inserts_recomputes_closures_and_deletions(alice, charlie, tess):
    assert_kept()
    late = young_person(alice, name="Cara Late", allocated_days_ago=80)  # a visit overdue
    young_person(alice, name="Ben Ok", allocated_days_ago=10)
    young_person(charlie, name="Abe Soon", allocated_days_ago=50)  # due soon
    assert_kept()
    assert kept_totals()["overdue_people"] >= 1
    unrecorded = YoungPersonFactory(pa=None)  # recorded without a recompute: no summary row yet
    assert_kept()
    kept = kept_totals()
    assert kept["everyone"] == kept["summaries"] + 1
    recompute(today())  # everyone, the night's way
    assert_kept()
    case_close(young_person=late, actor=tess, closed_on=today(), reason="moved_away")
    assert_kept()
    assert CaseloadSummary.objects.get(pk=late.pk).closed
    later = today() + dt.timedelta(days=40)
    refresh_summary(later)  # the calendar moves on: urgencies and counts change
    assert_kept()
    CaseloadSummary.objects.filter(young_person__name="Ben Ok").delete()
    assert_kept()
    with connection.cursor() as cursor:  # nothing is deleted in the service; the trigger counts it all the same
        for table in ("compliance_requirement", "compliance_caseloadsummary", "compliance_teamsummaryitem",
                      "compliance_resulthorizon"):
            cursor.execute(f"DELETE FROM {table} WHERE young_person_id = %s", [unrecorded.pk])  # noqa: S608
        cursor.execute("DELETE FROM careleavers_youngperson WHERE id = %s", [unrecorded.pk])
    assert_kept()
    assert kept_totals()["everyone"] == 3


def test_service_leaders_counts_at_the_top_come_from_thekept_totals(client, alice, sol):
    young_person(alice, name="Cara Late", allocated_days_ago=80)
    young_person(alice, name="Ben Ok", allocated_days_ago=10)
    recompute(today())
    totals = open_case_totals()
    assert totals["open"] == 2 and totals["overdue_people"] == 1
    login(client, sol)
    response = client.get(reverse("caseload"))
    assert response.context["counts"] == totals
    # The totals are what is read: were they wrong, the page would show it (so the pass is not read instead).
    CaseloadTotals.objects.filter(bucket=next(iter(CaseloadTotals.objects.values_list("bucket", flat=True)))).update(
        overdue_rows=999)
    assert client.get(reverse("caseload")).context["counts"]["overdue"] >= 999
