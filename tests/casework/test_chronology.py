"""Issue 12 (items 4-7), item 6: the chronology: paged, filtered by kind, date range and author; key events; contact
times and the living-environment notes; the PDF (parsed back with pypdf); query counts at two sizes of history."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from careleavers.key_events import key_event_mark
from careleavers.models import CaseNote, Event, KeyEvent
from contacts import services
from contacts.models import Escalation, Method, Outcome
from core.errors import NotAllowed
from core.models import AuditEvent, AuditKind
from tests.careleavers.helpers import days_ago, young_person
from tests.conftest import login
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

CHECK = {"health_and_safety": "good", "furnishings_and_kitchen": "adequate", "occupancy": "good", "trend": "improved",
         "notes": "Damp in the bedroom; landlord told."}


def _history(yp, pa, size: int):
    for i in range(size):
        ContactFactory(young_person=yp, date=days_ago(i + 1), time=dt.time(9, 15), outcome=Outcome.NO_RESPONSE,
                       method=Method.PHONE, recorded_by=pa, note=f"call {i}")
        Event.objects.create(young_person=yp, kind="significant_change", date=days_ago(i + 1), recorded_by=pa)
        CaseNote.objects.create(young_person=yp, subject=f"note {i}", text="x", author=pa)
        Escalation.objects.create(young_person=yp, step="letter", date=days_ago(i + 1), recorded_by=pa)


def _visit(yp, pa, **kw):
    return services.contact_log(young_person=yp, actor=pa, date=kw.pop("date", days_ago(3)), time=dt.time(14, 30),
                                method=Method.HOME_VISIT, outcome=Outcome.COMPLETED, note="Seen at home.",
                                visit_check=CHECK, **kw)


def test_shows_contact_times_and_living_environment_notes(client, alice):
    yp = young_person(alice)
    _visit(yp, alice)
    body = login(client, alice).get(reverse("chronology", args=[yp.pk])).content.decode()
    assert f"{days_ago(3).day} {days_ago(3):%b %Y}, 14:30" in body
    assert "Notes on the living environment: Damp in the bedroom; landlord told." in body
    assert AuditEvent.objects.filter(kind=AuditKind.RECORD_VIEWED, data__page="chronology").count() == 1


def test_filters_by_kind_date_range_author_and_key_events(client, alice, tess):
    yp = young_person(alice)
    _history(yp, alice, 3)
    visit = _visit(yp, tess, date=days_ago(10))
    login(client, alice)
    url = reverse("chronology", args=[yp.pk])
    everything = client.get(url).context["total"]
    contacts = client.get(url, {"kind": "contact"}).context["page"].object_list
    assert {r.entry.kind for r in contacts} == {"contact"} and len(contacts) == 4
    by_tess = client.get(url, {"author": "Tess Turner"}).context["page"].object_list
    assert [r.entry.obj for r in by_tess] == [visit]
    ranged = client.get(url, {"start": days_ago(2).isoformat(), "end": days_ago(1).isoformat()}).context
    assert ranged["total"] < everything and all(days_ago(2) <= r.entry.on <= days_ago(1) for r in ranged["page"])
    wrong = client.get(url, {"start": days_ago(1).isoformat(), "end": days_ago(5).isoformat()})
    assert "The end of the date range is before its start." in wrong.content.decode()
    assert client.get(url, {"key_only": "on"}).context["total"] == 0
    marked = client.post(reverse("key_event_toggle", args=[yp.pk]),
                         {"source": "contact", "object_id": visit.pk, "back": "kind=contact\r\nX-Evil: 1"})
    assert marked.status_code == 302 and marked["Location"] == url + "?kind=contact%0D%0AX-Evil%3A+1"
    keyed = client.get(url, {"key_only": "on"}).context["page"].object_list
    assert [r.entry.obj for r in keyed] == [visit] and keyed[0].key.marked_by == alice
    # Unmarking keeps the row.
    client.post(reverse("key_event_toggle", args=[yp.pk]), {"source": "contact", "object_id": visit.pk, "action": "clear"})
    assert client.get(url, {"key_only": "on"}).context["total"] == 0
    assert KeyEvent.objects.get().cleared_by == alice


def test_key_events_per_persona_and_only_for_this_young_persons_entries(client, alice, charlie, tess, trent, sol):
    yp = young_person(alice)
    visit = _visit(yp, alice)
    for refused in (charlie, trent, sol):
        with pytest.raises(NotAllowed):
            key_event_mark(young_person=yp, actor=refused, source="contact", object_id=visit.pk)
    assert key_event_mark(young_person=yp, actor=tess, source="contact", object_id=visit.pk).marked_by == tess
    other = young_person(alice)
    theirs = _visit(other, alice)
    login(client, alice)
    assert client.post(reverse("key_event_toggle", args=[yp.pk]),
                       {"source": "contact", "object_id": theirs.pk}).status_code == 404
    assert login(client, sol).post(reverse("key_event_toggle", args=[yp.pk]),
                                   {"source": "contact", "object_id": visit.pk}).status_code == 403
    assert login(client, charlie).get(reverse("chronology", args=[yp.pk])).status_code == 404
    assert login(client, charlie).get(reverse("chronology_pdf", args=[yp.pk])).status_code == 404


def test_the_pdf_holds_the_filtered_chronology(client, alice, tess):
    yp = young_person(alice, name="Robin Example")
    _history(yp, alice, 2)
    visit = _visit(yp, alice)
    key_event_mark(young_person=yp, actor=alice, source="contact", object_id=visit.pk)
    services.contact_correct(contact=visit, actor=tess, version=1, reason="Time was wrong.", date=visit.date,
                             time=dt.time(15, 0), method=visit.method, outcome=visit.outcome, note=visit.note)
    response = login(client, tess).get(reverse("chronology_pdf", args=[yp.pk]), {"kind": "contact"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="chronology-')
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = " ".join(text.split())
    assert "Chronology: Robin Example" in flat
    assert "Contact: 3 entries" in flat
    assert "Key event" in flat and "15:00" in flat
    assert "Damp in the bedroom" in flat
    assert "Time was wrong." in flat  # the Team Leader sees the earlier version
    assert "call 0" in flat and "note 0" not in flat  # filtered to contacts
    event = AuditEvent.objects.get(kind=AuditKind.CHRONOLOGY_EXPORTED)
    assert event.actor == tess and event.data["entries"] == 3


def test_the_pa_does_not_see_earlier_versions_in_the_chronology(client, alice, tess):
    yp = young_person(alice)
    visit = _visit(yp, alice)
    services.contact_correct(contact=visit, actor=alice, version=1, reason="Wrong time typed.", date=visit.date,
                             time=dt.time(15, 0), method=visit.method, outcome=visit.outcome, note=visit.note)
    # The reason is on the record for everyone (its case note); the earlier values are for managers.
    assert "Before: time “14:30”" not in login(client, alice).get(reverse("chronology", args=[yp.pk])).content.decode()
    assert "Before: time “14:30”" in login(client, tess).get(reverse("chronology", args=[yp.pk])).content.decode()


def test_paged(client, alice):
    yp = young_person(alice)
    _history(yp, alice, 20)  # 80 entries
    login(client, alice)
    first = client.get(reverse("chronology", args=[yp.pk]))
    assert len(first.context["page"].object_list) == 50 and first.context["page"].paginator.num_pages == 2
    assert len(client.get(reverse("chronology", args=[yp.pk]), {"page": 2}).context["page"].object_list) == 30


#: session / savepoint / user / staff / young person / the view's audit INSERT / one query per timeline source:
#: contacts, events, escalations, plans, arrangements, case notes / documents / key events / may they mark key
#: events (visibility, remembered) / release: 16. A manager also reads the contacts' corrections and is asked
#: whether they may read the history (visibility): 18.
#: Issue 16: one fewer each (15, 17), the staff record read with the user.
CHRONOLOGY_QUERIES = {"alice": 15, "tess": 17}


@pytest.mark.parametrize("persona", ["alice", "tess"])
@pytest.mark.parametrize("size", [5, 50])
def test_query_count_is_pinned_for_5_and_50_entries_of_each_kind(client, persona, size, request,
                                                                 django_assert_num_queries):
    alice = request.getfixturevalue("alice")
    viewer = request.getfixturevalue(persona)
    yp = young_person(alice)
    _history(yp, alice, size)
    visit = _visit(yp, alice)
    key_event_mark(young_person=yp, actor=alice, source="contact", object_id=visit.pk)
    login(client, viewer)
    with django_assert_num_queries(CHRONOLOGY_QUERIES[persona]):
        response = client.get(reverse("chronology", args=[yp.pk]))
    assert response.status_code == 200 and response.context["total"] == 4 * size + 1
