"""X1/X2 pages: the Service Leader's returns page and downloads, recording the in-touch check and the
returns details, and the "birthday check due" panel on the young person's page."""

import csv
import datetime as dt
import io
import zipfile

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from careleavers.models import YoungPerson
from contacts.models import InTouchCheck
from core.models import AuditEvent, AuditKind
from returns import exports
from returns.computed import returns_compute
from returns.exports import FILE_NAMES
from tests.conftest import login
from tests.factories import ContactFactory, SignedOffPlanFactory, YoungPersonFactory

from .data import YEAR, check, realistic_caseload

D = dt.date
TODAY = dt.datetime(2025, 6, 1, 12, 0)


@pytest.fixture
def yp(alice):
    return YoungPersonFactory(pa=alice, date_of_birth=D(2007, 6, 15), sex="F", ethnicity="WBRI", upn="UN2")


def test_x1_returns_page_is_for_service_wide_roles_only(client, alice, tess, sol, hana):
    url = reverse("returns:index")
    for staff in (alice, tess):
        assert login(client, staff).get(url).status_code == 403
    for staff in (sol, hana):
        assert login(client, staff).get(url).status_code == 200


def test_x1_returns_page_lists_who_lacks_data_before_exporting(client, sol, alice):
    lacking = YoungPersonFactory(pa=alice, date_of_birth=D(2007, 6, 15), sex="", ethnicity="")
    complete = YoungPersonFactory(pa=alice, date_of_birth=D(2007, 7, 15), sex="M", ethnicity="WBRI", upn="UN2")
    check(complete, D(2025, 7, 15))
    SignedOffPlanFactory(young_person=complete)
    returns_compute(year=YEAR, run="test")  # issue 16, item 2: the page reads the stored result
    response = login(client, sol).get(reverse("returns:index"), {"year": YEAR})
    body = response.content.decode()
    assert response.status_code == 200
    assert lacking.ref in body and "Sex not recorded" in body and "No in-touch check recorded around the 18th birthday" in body
    assert complete.ref not in body.split("Young people who lack data")[1]
    assert "2 young people in the care leaver table" in body


def test_x1_returns_page_has_the_same_query_count_for_5_and_50_young_people(client, sol, alice, django_assert_num_queries):
    def make(n):
        for i in range(n):
            YoungPersonFactory(pa=alice, date_of_birth=D(2007, 1 + i % 12, 1 + i % 28), sex="")

    login(client, sol)
    url = reverse("returns:index")
    make(5)
    returns_compute(year=YEAR, run="test")
    client.get(url, {"year": YEAR})
    # issue 16: savepoint, session, user with their staff record, the latest computation, its page of rows (the count
    # is stored with the computation), release
    with django_assert_num_queries(6) as small:
        assert client.get(url, {"year": YEAR}).status_code == 200
    make(45)
    returns_compute(year=YEAR, run="test")
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url, {"year": YEAR}).status_code == 200


def streamed(response) -> bytes:
    assert response.streaming  # issue 16: a StreamingHttpResponse, sent as it is read
    return b"".join(response.streaming_content)


def test_x1_download_zip_has_the_three_files(client, sol, yp):
    check(yp, D(2025, 6, 20))
    response = login(client, sol).get(reverse("returns:download"), {"year": YEAR})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(streamed(response)))
    assert sorted(archive.namelist()) == ["annex_a_list9.csv", "header.csv", "oc3.csv"]
    assert f"{yp.ref},15/06/2007,YES,F2,U1" in archive.read("oc3.csv").decode()


def test_x1_download_one_file_and_unknown_names_404(client, sol, yp):
    login(client, sol)
    response = client.get(reverse("returns:file", args=["header.csv"]), {"year": YEAR})
    assert response.status_code == 200 and streamed(response).decode().startswith("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB")
    assert client.get(reverse("returns:file", args=["episodes.csv"])).status_code == 404


def test_x1_x2_downloads_stream_the_files_export_returns_writes_and_log_who_they_include(
        client, hana, alice, charlie, tmp_path, monkeypatch):
    """Issue 16: each download is a generator response, a few young people at a time (a chunk of 3 here, so
    that there are several), with the bytes of the file export_returns writes; who it includes is logged
    once per young person."""
    realistic_caseload(alice, charlie)
    call_command("export_returns", "--year", str(YEAR), "--out", str(tmp_path), stdout=io.StringIO(),
                 stderr=io.StringIO())
    monkeypatch.setattr(exports, "CHUNK", 3)
    login(client, hana)
    for name in FILE_NAMES:
        response = client.get(reverse("returns:file", args=[name]), {"year": YEAR})
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert streamed(response) == (tmp_path / name).read_bytes()
        logged = AuditEvent.objects.filter(kind=AuditKind.RECORD_VIEWED, data__page=f"returns:{YEAR}:{name}")
        refs = [row[0] for row in csv.reader(io.StringIO((tmp_path / name).read_text()))][1:]
        assert sorted(logged.values_list("young_person__ref", flat=True)) == sorted(refs)
    archive = zipfile.ZipFile(io.BytesIO(streamed(client.get(reverse("returns:download"), {"year": YEAR}))))
    assert archive.testzip() is None
    for name in FILE_NAMES:
        assert archive.read(name) == (tmp_path / name).read_bytes()
    logged = list(AuditEvent.objects.filter(data__page=f"returns:{YEAR}.zip").values_list("young_person__ref", flat=True))
    everyone = {row[0] for name in FILE_NAMES for row in csv.reader(io.StringIO((tmp_path / name).read_text()))}
    assert sorted(logged) == sorted(everyone - {"CHILD", "Child Unique ID"})  # once each


@pytest.mark.parametrize("who", ["alice", "tess"])
def test_x1_a_reader_without_the_right_downloads_nothing(client, request, who, yp):
    login(client, request.getfixturevalue(who))
    for response in (client.get(reverse("returns:download"), {"year": YEAR}),
                     *(client.get(reverse("returns:file", args=[name]), {"year": YEAR}) for name in FILE_NAMES)):
        assert response.status_code == 403 and not response.streaming
        assert yp.ref.encode() not in response.content and b"CHILD" not in response.content
    assert not AuditEvent.objects.filter(kind=AuditKind.RECORD_VIEWED).exists()


def test_x1_pa_cannot_download_returns(client, alice):
    assert login(client, alice).get(reverse("returns:download"), {"year": YEAR}).status_code == 403


@time_machine.travel(TODAY, tick=False)
def test_x1_young_person_page_shows_birthday_check_due_until_recorded(client, alice, yp):
    login(client, alice)
    page = client.get(reverse("young_person", args=[yp.pk])).content.decode()
    assert "Birthday check due" in page and "18th birthday (15 Jun 2025)" in page
    contact = ContactFactory(young_person=yp, date=D(2025, 6, 1))
    response = client.post(reverse("returns:record_check", args=[yp.pk]), {
        "date": "2025-06-01", "contact": contact.pk, "in_touch": "YES", "activity": "F5", "accommodation": "D1"})
    assert response.status_code == 302
    recorded = InTouchCheck.objects.get(young_person=yp)
    assert (recorded.in_touch, recorded.activity, recorded.accommodation, recorded.contact, recorded.recorded_by) == (
        "YES", "F5", "D1", contact, alice)
    assert yp.case_notes.filter(subject__startswith="In-touch check").exists()
    assert "Birthday check due" not in client.get(reverse("young_person", args=[yp.pk])).content.decode()


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(("data", "field", "message"), [
    ({"in_touch": "YES", "activity": "0", "accommodation": "U1"}, "activity", "record what they are doing"),
    ({"in_touch": "DIED", "activity": "F2", "accommodation": "0"}, "activity", "died or returned home"),
    ({"in_touch": "YES", "activity": "F2", "accommodation": "S1"}, "accommodation", "Select a valid choice"),
    ({"in_touch": "MAYBE", "activity": "F2", "accommodation": "U1"}, "in_touch", "Select a valid choice"),
    ({"in_touch": "YES", "activity": "F2", "accommodation": "U1", "date": "2025-06-02"}, "date", "future"),
])
def test_x1_in_touch_check_form_rejects_what_the_dfe_rejects(client, alice, yp, data, field, message):
    response = login(client, alice).post(reverse("returns:record_check", args=[yp.pk]), {"date": "2025-06-01", **data})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert "There is a problem" in response.content.decode()
    assert not InTouchCheck.objects.exists()


@time_machine.travel(dt.datetime(2025, 4, 1, 12, 0), tick=False)
def test_x1_no_former_foster_carers_at_the_17th_birthday(client, alice):
    yp = YoungPersonFactory(pa=alice, date_of_birth=D(2008, 5, 1))
    response = login(client, alice).post(reverse("returns:record_check", args=[yp.pk]), {
        "date": "2025-04-01", "in_touch": "YES", "activity": "F2", "accommodation": "Z1"})
    assert "former foster carers" in " ".join(response.context["form"].errors["accommodation"])


def test_x1_someone_elses_young_person_is_404(client, charlie, yp):
    login(client, charlie)
    assert client.get(reverse("returns:record_check", args=[yp.pk])).status_code == 404
    assert client.get(reverse("returns:details", args=[yp.pk])).status_code == 404


def test_x1_returns_details_are_recorded_with_dfe_codes(client, alice, yp):
    login(client, alice)
    url = reverse("returns:details", args=[yp.pk])
    response = client.post(url, {"sex": "M", "ethnicity": "BAFR", "upn": "a123456789012", "uasc": "on", "disability": ""})
    assert response.status_code == 302
    yp.refresh_from_db()
    assert (yp.sex, yp.ethnicity, yp.upn, yp.uasc, yp.disability) == ("M", "BAFR", "A123456789012", True, False)
    assert yp.history.count() >= 2 and yp.case_notes.filter(subject="Returns details updated").exists()
    bad = client.post(url, {"sex": "X", "ethnicity": "WHITE", "upn": "UN1"})
    assert set(bad.context["form"].errors) == {"sex", "ethnicity", "upn"}


def test_x1_returns_details_form_shows_the_code_lists(client, alice, yp):
    body = login(client, alice).get(reverse("returns:details", args=[yp.pk])).content.decode()
    assert "WIRT: Traveller of Irish heritage" in body and "NOBT: Information not yet obtained" in body


@time_machine.travel(TODAY, tick=False)
def test_x1_caseload_shows_birthday_check_due_badge(client, alice, yp):
    other = YoungPersonFactory(pa=alice, date_of_birth=D(2007, 12, 1))  # window opens 1 Sep 2025
    body = login(client, alice).get(reverse("caseload")).content.decode()
    row = body.split(f'href="{reverse("young_person", args=[yp.pk])}"')[1].split("</tr>")[0]
    other_row = body.split(f'href="{reverse("young_person", args=[other.pk])}"')[1].split("</tr>")[0]
    assert "Birthday check due" in row and "Birthday check due" not in other_row
    check(yp, D(2025, 5, 30))
    assert "Birthday check due" not in login(client, alice).get(reverse("caseload")).content.decode()


@time_machine.travel(TODAY, tick=False)
def test_x1_returns_page_defaults_to_the_last_ended_year_and_ignores_a_bad_one(client, sol):
    login(client, sol)
    response = client.get(reverse("returns:index"))
    assert response.context["year"] == 2024  # on 1 Jun 2025 the 2024-25 return is the one due
    assert client.get(reverse("returns:index"), {"year": "abc"}).context["year"] == 2024
    assert client.get(reverse("returns:index"), {"year": "2025"}).context["year"] == 2025


def test_x1_a_stale_returns_details_save_is_refused_saying_what_changed(client, alice, yp):
    """Issue 14, item 5: the form carries the version it was read at; nothing is overwritten."""
    login(client, alice)
    url = reverse("returns:details", args=[yp.pk])
    read_version = client.get(url).context["form"].initial["read_version"]
    YoungPerson.objects.filter(pk=yp.pk).update(ethnicity="WIRT")  # someone else saved meanwhile
    response = client.post(url, {"sex": "M", "ethnicity": "BAFR", "upn": "", "read_version": read_version})
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors[0].startswith("Someone saved these details after you opened the form")
    assert "Ethnicity is now 'WIRT' (was 'WBRI')." in errors
    yp.refresh_from_db()
    assert (yp.sex, yp.ethnicity) == ("F", "WIRT")
    again = client.post(url, {"sex": "M", "ethnicity": "BAFR", "upn": "",
                              "read_version": response.context["form"].data["read_version"]})
    assert again.status_code == 302  # the second save is a deliberate one
