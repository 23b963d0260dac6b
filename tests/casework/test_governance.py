"""Issue 14, items 7-9: every view of a record is logged and a Service Leader reads the log by young
person and by user; a subject access export (JSON and PDF) is complete and logged; the retention date
(75th birthday) is shown and records past it are listed for review, never deleted."""

import datetime as dt
import io
import json

import pytest
from django.utils import timezone
from pypdf import PdfReader

from careleavers.models import YoungPerson
from core.dates import birthday
from core.models import AuditEvent, AuditKind
from tests.conftest import login
from tests.factories import ContactFactory, SignedOffPlanFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db


def _views(**filters):
    return AuditEvent.objects.filter(kind=AuditKind.RECORD_VIEWED, **filters)


# --- item 7: the audit of views -------------------------------------------------------------------

def test_viewing_a_record_logs_who_when_and_what(client, alice):
    yp = YoungPersonFactory(pa=alice)
    login(client, alice)
    assert client.get(f"/young-people/{yp.pk}/").status_code == 200
    event = _views().get()
    assert (event.actor, event.young_person, event.data) == (alice, yp, {"page": "young_person"})
    assert event.at is not None


def test_viewing_the_history_is_logged(client, tess, alice):
    yp = YoungPersonFactory(pa=alice)
    login(client, tess)
    assert client.get(f"/young-people/{yp.pk}/history/").status_code == 200
    assert _views(actor=tess, young_person=yp, data__page="history").count() == 1


def test_a_refused_view_logs_nothing(client, charlie, alice):
    yp = YoungPersonFactory(pa=alice)
    login(client, charlie)
    assert client.get(f"/young-people/{yp.pk}/").status_code == 404
    assert not _views().exists()


def test_a_returns_download_logs_each_young_person_it_includes(client, sol, alice):
    today = timezone.localdate()
    inside = YoungPersonFactory(pa=alice, date_of_birth=birthday(today, -19), allocated_on=today - dt.timedelta(days=30))
    login(client, sol)
    response = client.get("/returns/annex-a/", {"as_at": today.isoformat()})
    assert response.status_code == 200
    assert inside.ref in response.content.decode()
    event = _views(young_person=inside).get()
    assert event.actor == sol
    assert event.data["page"].startswith("returns:annex_a_list9_as_at_")


def test_an_oversight_export_logs_each_young_person_it_includes(client, tess, alice):
    today = timezone.localdate()
    yp = YoungPersonFactory(pa=alice, date_of_birth=birthday(today, -19), allocated_on=today - dt.timedelta(days=400))
    login(client, tess)
    response = client.get("/oversight/export/team-items.csv")
    assert response.status_code == 200
    if yp.ref in response.content.decode():
        assert _views(young_person=yp, actor=tess, data__page="oversight:team-items.csv").count() == 1
    else:
        assert not _views(young_person=yp).exists()


def test_a_service_leader_reads_the_log_by_young_person_and_by_user(client, sol, alice, charlie):
    mine, theirs = YoungPersonFactory(pa=alice), YoungPersonFactory(pa=charlie)
    login(client, alice)
    client.get(f"/young-people/{mine.pk}/")
    login(client, charlie)
    client.get(f"/young-people/{theirs.pk}/")
    login(client, sol)
    by_person = client.get("/audit/", {"young_person": mine.ref, "kind": AuditKind.RECORD_VIEWED})
    assert by_person.status_code == 200
    rows = list(by_person.context["page"])
    assert [(e.actor, e.young_person) for e in rows] == [(alice, mine)]
    by_user = client.get("/audit/", {"staff": charlie.pk, "kind": AuditKind.RECORD_VIEWED})
    assert [(e.actor, e.young_person) for e in by_user.context["page"]] == [(charlie, theirs)]
    assert b"audit-log" in by_user.content


def test_only_the_service_leader_reads_the_audit_log(client, alice, tess, hana):
    for staff in (alice, tess, hana):
        login(client, staff)
        assert client.get("/audit/").status_code == 403


# --- item 8: subject access -----------------------------------------------------------------------

def _held(alice):
    yp = YoungPersonFactory(pa=alice, name="Jamie Subject")
    ContactFactory(young_person=yp)
    SignedOffPlanFactory(young_person=yp)
    return yp


def test_a_subject_access_export_as_json_holds_everything_and_is_logged(client, sol, alice):
    yp = _held(alice)
    login(client, sol)
    response = client.get(f"/young-people/{yp.pk}/subject-access.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["format"] == "subject-access"
    assert data["young_person"]["ref"] == yp.ref
    assert data["young_person"]["retention_date"] == birthday(yp.date_of_birth, 75).isoformat()
    assert len(data["history"]) >= 1
    assert len(data["contacts"]) == 1
    assert len(data["plans"]) == 1
    assert len(data["allocations"]) == 1
    for key in ("arrangements", "arrangement_decisions", "plan_decisions", "case_notes", "events",
                "in_touch_checks", "audit_events", "escalations"):
        assert isinstance(data[key], list), key
    assert any(e["kind"] == AuditKind.RECORD_VIEWED for e in data["audit_events"]) is False  # nothing viewed yet
    event = AuditEvent.objects.get(kind=AuditKind.SUBJECT_ACCESS_EXPORTED)
    assert (event.actor, event.young_person, event.data["format"]) == (sol, yp, "json")
    assert event.data["sections"]["contacts"] == 1


def test_a_subject_access_export_as_pdf_is_readable(client, sol, alice):
    yp = _held(alice)
    login(client, sol)
    response = client.get(f"/young-people/{yp.pk}/subject-access.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Jamie Subject" in text
    assert yp.ref in text
    assert "Contacts (1)" in text
    assert "Pathway plans (1)" in text
    assert AuditEvent.objects.filter(kind=AuditKind.SUBJECT_ACCESS_EXPORTED, data__format="pdf").count() == 1


def test_only_a_service_leader_exports_subject_access(client, alice, tess, hana, charlie):
    yp = _held(alice)
    for staff in (alice, tess, hana):
        login(client, staff)
        assert client.get(f"/young-people/{yp.pk}/subject-access.json").status_code == 403
    login(client, charlie)
    assert client.get(f"/young-people/{yp.pk}/subject-access.json").status_code == 404
    assert not AuditEvent.objects.filter(kind=AuditKind.SUBJECT_ACCESS_EXPORTED).exists()


def test_the_record_page_offers_the_export_to_the_service_leader_only(client, sol, alice):
    yp = YoungPersonFactory(pa=alice)
    login(client, sol)
    assert b"subject-access.pdf" in client.get(f"/young-people/{yp.pk}/").content
    login(client, alice)
    assert b"subject-access.pdf" not in client.get(f"/young-people/{yp.pk}/").content


# --- item 9: retention ----------------------------------------------------------------------------

def test_the_retention_date_is_the_75th_birthday_and_shown_on_the_record(client, alice):
    yp = YoungPersonFactory(pa=alice, date_of_birth=dt.date(2004, 2, 29))
    assert yp.retention_date == dt.date(2079, 3, 1)
    login(client, alice)
    content = client.get(f"/young-people/{yp.pk}/").content.decode()
    assert 'id="retention-date"' in content
    assert "1 Mar 2079" in content


def test_records_past_their_retention_date_are_listed_for_review_and_kept(client, sol, alice):
    today = timezone.localdate()
    past = YoungPersonFactory(pa=alice, date_of_birth=birthday(today, -75), allocated_on=birthday(today, -57))
    not_yet = YoungPersonFactory(pa=alice, date_of_birth=birthday(today, -75) + dt.timedelta(days=1),
                                 allocated_on=birthday(today, -57))
    login(client, sol)
    response = client.get("/retention/")
    assert response.status_code == 200
    listed = [yp.pk for yp in response.context["page"]]
    assert past.pk in listed
    assert not_yet.pk not in listed
    assert YoungPerson.objects.filter(pk=past.pk).exists()  # nothing is deleted


def test_only_the_service_leader_reviews_retention(client, alice, tess):
    for staff in (alice, tess):
        login(client, staff)
        assert client.get("/retention/").status_code == 403
