"""X2: Ofsted Annex A list 9 as at any date (the day an inspection is announced): every legal status, what was
recorded by that day, the collection year's wording; the Returns page form and `export_returns --annex-a-as-at`."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from careleavers.models import LegalStatus, LegalStatusChange
from contacts.models import Outcome
from returns.annex_a import annex_a_as_at
from returns.exports import build_returns
from tests.conftest import login
from tests.factories import ContactFactory, SignedOffPlanFactory, YoungPersonFactory

from .data import YEAR, check, realistic_caseload

D = dt.date
TODAY = dt.datetime(2026, 3, 1, 12, 0)


def by_ref(annex):
    return {row["Child Unique ID"]: row for row in csv.DictReader(io.StringIO(annex.csv()))}


def test_x2_as_at_31_march_is_the_year_file(alice, charlie):
    realistic_caseload(alice, charlie)
    annex = annex_a_as_at(D(2026, 3, 31))
    assert annex.csv() == build_returns(YEAR).csv_files()["annex_a_list9.csv"]
    assert annex.file_name == "annex_a_list9_as_at_2026-03-31.csv"


@pytest.mark.parametrize(("status", "dob", "wording"), [
    (LegalStatus.ELIGIBLE, D(2009, 6, 1), "d) Eligible child"),
    (LegalStatus.RELEVANT, D(2009, 1, 1), "a) Relevant child"),
    (LegalStatus.FORMER_RELEVANT, D(2006, 1, 1), "b) Former relevant child"),
    (LegalStatus.QUALIFYING, D(2006, 1, 1), "c) Qualifying care leaver"),
])
def test_x2_as_at_covers_every_legal_status(alice, status, dob, wording):
    yp = YoungPersonFactory(pa=alice, legal_status=status, date_of_birth=dob, allocated_on=D(2025, 6, 1))
    SignedOffPlanFactory(young_person=yp, review_date=D(2025, 10, 1))
    row = by_ref(annex_a_as_at(D(2026, 1, 15)))[yp.ref]
    assert row["Eligibility Category"] == wording
    # Section 24 has no pathway plan duty: the review date stays blank for a qualifying young person.
    assert row["Latest Pathway Plan Review Date"] == ("" if status == LegalStatus.QUALIFYING else "01/10/2025")


def test_x2_t9_as_at_leaves_out_section_24_without_a_pa_service(alice):
    with_pa = YoungPersonFactory(pa=alice, legal_status=LegalStatus.QUALIFYING, date_of_birth=D(2006, 1, 1))
    without = YoungPersonFactory(pa=alice, legal_status=LegalStatus.QUALIFYING, pa_service=False,
                                 date_of_birth=D(2006, 1, 1))
    annex = by_ref(annex_a_as_at(D(2026, 1, 15)))
    assert with_pa.ref in annex and without.ref not in annex


def test_x2_as_at_lists_who_is_in_service_that_day(alice):
    open_case = YoungPersonFactory(pa=alice, allocated_on=D(2025, 6, 1))
    closed_before = YoungPersonFactory(pa=alice, closed_on=D(2026, 1, 14))
    closed_that_day = YoungPersonFactory(pa=alice, closed_on=D(2026, 1, 15))
    closed_after = YoungPersonFactory(pa=alice, closed_on=D(2026, 1, 16))
    allocated_after = YoungPersonFactory(pa=alice, allocated_on=D(2026, 1, 16))
    annex = by_ref(annex_a_as_at(D(2026, 1, 15)))
    assert open_case.ref in annex and closed_after.ref in annex
    assert not {closed_before.ref, closed_that_day.ref, allocated_after.ref} & set(annex)


@pytest.fixture
def recorded(alice):
    yp = YoungPersonFactory(pa=alice, date_of_birth=D(2006, 1, 20), allocated_on=D(2025, 6, 1))
    check(yp, D(2025, 9, 1), "YES", "F2", "U1")
    check(yp, D(2026, 1, 10), "YES", "G5", "W2")
    ContactFactory(young_person=yp, date=D(2025, 12, 1))
    ContactFactory(young_person=yp, date=D(2026, 1, 5), outcome=Outcome.NO_RESPONSE)    # not a completed contact
    ContactFactory(young_person=yp, date=D(2026, 1, 6), voided_at=timezone.now())       # recorded in error
    ContactFactory(young_person=yp, date=D(2026, 1, 12))
    SignedOffPlanFactory(young_person=yp, review_date=D(2025, 10, 1))
    SignedOffPlanFactory(young_person=yp, review_date=D(2026, 1, 11))
    return yp


def _status(row):
    return (row["LA in Touch"], row["Type of Accommodation"], row["Suitability of Accommodation"], row["Activity Status"])


def test_x2_as_at_the_day_before_a_check_uses_the_one_before(recorded):
    row = by_ref(annex_a_as_at(D(2026, 1, 9)))[recorded.ref]
    assert _status(row) == ("a) Yes", "U: Independent living", "a) Suitable",
                            "F2: Full-time in education other than higher education")
    assert row["Latest Date of Contact"] == "01/12/2025"
    assert row["Latest Pathway Plan Review Date"] == "01/10/2025"
    assert row["Age"] == "19"


def test_x2_as_at_the_day_of_a_check_uses_it(recorded):
    row = by_ref(annex_a_as_at(D(2026, 1, 10)))[recorded.ref]
    assert _status(row) == ("a) Yes", "W: Bed and breakfast", "b) Unsuitable",
                            "G5: Not in education, training or employment: other reasons")
    assert row["Latest Date of Contact"] == "01/12/2025"  # not the unanswered or voided ones


def test_x2_as_at_reads_the_latest_review_and_contact_on_their_day(recorded):
    assert by_ref(annex_a_as_at(D(2026, 1, 11)))[recorded.ref]["Latest Pathway Plan Review Date"] == "11/01/2026"
    row = by_ref(annex_a_as_at(D(2026, 1, 12)))[recorded.ref]
    assert row["Latest Date of Contact"] == "12/01/2026"
    assert row["Age"] == "19"
    assert by_ref(annex_a_as_at(D(2026, 1, 20)))[recorded.ref]["Age"] == "20"  # the 20th birthday


def test_x2_as_at_without_a_check_leaves_the_status_blank(alice):
    yp = YoungPersonFactory(pa=alice)
    assert _status(by_ref(annex_a_as_at(D(2026, 1, 15)))[yp.ref]) == ("", "", "", "")


@pytest.mark.parametrize(("day", "wording", "age"), [
    (D(2026, 1, 31), "a) Relevant child", "17"),
    (D(2026, 2, 1), "b) Former relevant child", "18"),  # the 18th birthday
])
def test_x2_as_at_uses_the_legal_status_in_force_that_day(alice, day, wording, age):
    yp = YoungPersonFactory(pa=alice, legal_status=LegalStatus.FORMER_RELEVANT, date_of_birth=D(2008, 2, 1),
                            allocated_on=D(2025, 6, 1))
    LegalStatusChange.objects.create(young_person=yp, status=LegalStatus.RELEVANT, from_date=D(2024, 6, 1))
    LegalStatusChange.objects.create(young_person=yp, status=LegalStatus.FORMER_RELEVANT, from_date=D(2026, 2, 1))
    row = by_ref(annex_a_as_at(day))[yp.ref]
    assert (row["Eligibility Category"], row["Age"]) == (wording, age)


def test_x2_as_at_cells_are_safe_for_spreadsheets(alice):
    YoungPersonFactory(pa=alice, ref="=HYPERLINK(1)")
    assert "'=HYPERLINK(1)," in annex_a_as_at(D(2026, 1, 15)).csv()


def test_x2_as_at_has_a_fixed_number_of_queries(db, alice, charlie, django_assert_num_queries):
    def make(n):
        for i in range(n):
            yp = YoungPersonFactory(pa=alice if i % 2 else charlie, date_of_birth=D(2006, 1 + i % 12, 1 + i % 28),
                                    legal_status=[*LegalStatus.values][i % 4])
            check(yp, D(2025, 12, 1))
            ContactFactory(young_person=yp, date=D(2026, 1, 5))
            SignedOffPlanFactory(young_person=yp)
            if i % 3 == 0:
                LegalStatusChange.objects.create(young_person=yp, status=yp.legal_status, from_date=D(2025, 1, 1))

    make(5)
    # requirements as of the day / people / legal status changes / contacts / in-touch checks / reviews /
    # accommodation and activity in force (issue 11)
    with django_assert_num_queries(8):
        small = annex_a_as_at(D(2026, 1, 15))
    make(45)
    with django_assert_num_queries(8):
        large = annex_a_as_at(D(2026, 1, 15))
    assert (len(small.rows), len(large.rows)) == (5, 50)


# The Returns page: a form with a date (default today, today at the latest) that downloads the CSV.

@time_machine.travel(TODAY, tick=False)
def test_x2_as_at_form_defaults_to_today_and_goes_no_later(client, sol):
    login(client, sol)
    for url in (reverse("returns:index"), reverse("returns:annex_a")):
        body = client.get(url).content.decode()
        assert 'name="as_at"' in body and 'value="2026-03-01"' in body and 'max="2026-03-01"' in body
        assert 'type="date"' in body


@time_machine.travel(TODAY, tick=False)
def test_x2_as_at_download_is_the_csv_of_that_day(client, sol, alice):
    yp = YoungPersonFactory(pa=alice)
    check(yp, D(2026, 2, 1), "YES", "F5", "D1")
    response = login(client, sol).get(reverse("returns:annex_a"), {"as_at": "2026-02-15"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="annex_a_list9_as_at_2026-02-15.csv"'
    row = {r["Child Unique ID"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}[yp.ref]
    assert row["Type of Accommodation"].startswith("D: Semi-independent")


@time_machine.travel(TODAY, tick=False)
def test_x2_as_at_today_is_allowed_and_tomorrow_refused(client, sol):
    login(client, sol)
    assert client.get(reverse("returns:annex_a"), {"as_at": "2026-03-01"})["Content-Type"].startswith("text/csv")
    response = client.get(reverse("returns:annex_a"), {"as_at": "2026-03-02"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "not a future one" in response.content.decode()
    assert "not a future one" not in client.get(reverse("returns:annex_a"), {"as_at": "not a date"}).content.decode()


def test_x2_as_at_is_for_service_wide_roles_only(client, alice, tess, sol, hana):
    url = reverse("returns:annex_a")
    for staff in (alice, tess):
        assert login(client, staff).get(url, {"as_at": "2026-01-15"}).status_code == 403
    for staff in (sol, hana):
        assert login(client, staff).get(url, {"as_at": "2026-01-15"}).status_code == 200


def test_x2_as_at_download_has_the_same_query_count_for_5_and_50(client, sol, alice, django_assert_num_queries):
    def make(n):
        for _ in range(n):
            yp = YoungPersonFactory(pa=alice)
            check(yp, D(2025, 12, 1))

    login(client, sol)
    url = reverse("returns:annex_a")
    make(5)
    client.get(url, {"as_at": "2026-01-15"})
    # savepoint, session, user with their staff record (issue 16), the eight, the one INSERT logging the download
    # (issue 14, item 7), release
    with django_assert_num_queries(13) as small:
        assert client.get(url, {"as_at": "2026-01-15"}).status_code == 200
    make(45)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url, {"as_at": "2026-01-15"})
    assert len(response.content.decode().splitlines()) == 51


# export_returns --annex-a-as-at YYYY-MM-DD

def test_x2_export_returns_annex_a_as_at_writes_the_file_of_that_day(alice, tmp_path):
    YoungPersonFactory(pa=alice)
    out = io.StringIO()
    call_command("export_returns", "--annex-a-as-at", "2026-01-15", "--out", str(tmp_path), stdout=out)
    assert [p.name for p in tmp_path.iterdir()] == ["annex_a_list9_as_at_2026-01-15.csv"]
    assert "1 young people in annex_a_list9_as_at_2026-01-15.csv (wording of 2025-26)" in out.getvalue()
    text = (tmp_path / "annex_a_list9_as_at_2026-01-15.csv").read_bytes().decode()
    assert text.startswith("Child Unique ID,Gender,") and text.endswith("\r\n")


def test_x2_export_returns_with_a_year_and_an_as_at_date_writes_both(alice, tmp_path):
    YoungPersonFactory(pa=alice)
    call_command("export_returns", "--year", str(YEAR), "--annex-a-as-at", "2026-01-15", "--out", str(tmp_path),
                 stdout=io.StringIO(), stderr=io.StringIO())
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "annex_a_list9.csv", "annex_a_list9_as_at_2026-01-15.csv", "header.csv", "oc3.csv"]


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("args", [
    ["--annex-a-as-at", "2026-03-02"],   # tomorrow
    ["--annex-a-as-at", "15/01/2026"],   # not YYYY-MM-DD
    [],                                  # neither a year nor a day
])
def test_x2_export_returns_refuses_a_bad_as_at_date(db, tmp_path, args):
    with pytest.raises(CommandError):
        call_command("export_returns", *args, "--out", str(tmp_path))
