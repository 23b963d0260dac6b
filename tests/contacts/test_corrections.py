"""Issue 12 (items 4-7), item 5: correcting a contact as a new version with a reason; the due dates follow (V3)."""

import datetime as dt

import pytest
from django.urls import reverse

from careleavers.models import CaseNote
from contacts import services
from contacts.models import ContactCorrection, Method, Outcome
from core.errors import InvalidState, NotAllowed, ServiceError, StaleVersion
from core.models import AuditEvent, AuditKind
from tests.careleavers.helpers import days_ago, requirement, today, young_person
from tests.conftest import login

pytestmark = pytest.mark.django_db

CHECK = {"health_and_safety": "good", "furnishings_and_kitchen": "adequate", "occupancy": "good", "trend": "same"}


def _visit(yp, actor, *, date):
    return services.contact_log(young_person=yp, actor=actor, date=date, method=Method.HOME_VISIT,
                                outcome=Outcome.COMPLETED, note="Seen at home.", visit_check=CHECK)


def _correct(contact, actor, **overrides):
    values = {"contact": contact, "actor": actor, "version": services.contact_version(contact),
              "reason": "Typed the wrong date.", "date": contact.date, "time": contact.time,
              "method": contact.method, "outcome": contact.outcome, "note": contact.note}
    values.update(overrides)
    return services.contact_correct(**values)


def test_v3_correcting_the_date_recomputes_the_due_date_in_the_same_transaction(alice):
    yp = young_person(alice, allocated_days_ago=100)
    contact = _visit(yp, alice, date=days_ago(2))
    assert requirement(yp).due == days_ago(2) + dt.timedelta(days=56)

    correction = _correct(contact, alice, date=days_ago(20))

    assert requirement(yp).due == days_ago(20) + dt.timedelta(days=56)  # V1 from the corrected date
    assert requirement(yp).last_met == days_ago(20)
    contact.refresh_from_db()
    assert contact.date == days_ago(20)
    assert correction.version == 2
    assert correction.before == {"date": str(days_ago(2))} and correction.after == {"date": str(days_ago(20))}
    assert correction.reason == "Typed the wrong date."
    assert contact.history.count() == 2  # the earlier version is kept by django-simple-history too
    event = AuditEvent.objects.get(kind=AuditKind.CONTACT_CORRECTED)
    assert event.data["before"] == {"date": str(days_ago(2))} and event.actor == alice
    assert CaseNote.objects.filter(young_person=yp, subject__startswith="Contact corrected").exists()


def test_v3_correcting_the_outcome_to_no_response_means_the_visit_was_not_made(alice):
    yp = young_person(alice, allocated_days_ago=100)
    contact = _visit(yp, alice, date=days_ago(2))
    _correct(contact, alice, outcome=Outcome.NO_RESPONSE, reason="Nobody answered the door; recorded wrongly.")
    row = requirement(yp)
    assert row.last_met is None
    assert row.due == days_ago(100) + dt.timedelta(days=56)  # C2: an attempt meets nothing


def test_correction_needs_a_reason_and_a_change(alice):
    yp = young_person(alice)
    contact = _visit(yp, alice, date=days_ago(2))
    with pytest.raises(ServiceError) as missing:
        _correct(contact, alice, reason="  ", date=days_ago(3))
    assert missing.value.field == "reason"
    with pytest.raises(ServiceError, match="Nothing was changed"):
        _correct(contact, alice)
    with pytest.raises(ServiceError) as future:
        _correct(contact, alice, date=today() + dt.timedelta(days=1))
    assert future.value.field == "date"
    assert not ContactCorrection.objects.exists()


def test_a_stale_correction_is_refused_and_changes_nothing(alice):
    yp = young_person(alice)
    contact = _visit(yp, alice, date=days_ago(2))
    _correct(contact, alice, date=days_ago(3))
    with pytest.raises(StaleVersion):
        _correct(contact, alice, version=1, date=days_ago(4))
    contact.refresh_from_db()
    assert contact.date == days_ago(3)


def test_a_voided_contact_is_not_corrected(alice):
    yp = young_person(alice)
    contact = _visit(yp, alice, date=days_ago(2))
    services.contact_void(contact=contact, actor=alice, reason="Wrong young person.")
    with pytest.raises(InvalidState):
        _correct(contact, alice, date=days_ago(3))


def test_c3_a_correction_into_a_home_visit_without_its_check_is_refused(alice):
    yp = young_person(alice)
    phone = services.contact_log(young_person=yp, actor=alice, date=days_ago(2), method=Method.PHONE,
                                 outcome=Outcome.COMPLETED, note="Rang.")
    with pytest.raises(ServiceError, match="living-environment check"):
        _correct(phone, alice, method=Method.HOME_VISIT)


def test_who_may_correct_per_persona(alice, charlie, tess, trent, sol):
    yp = young_person(alice)
    contact = _visit(yp, alice, date=days_ago(2))
    for stranger in (charlie, trent, sol):  # another team's PA and Team Leader; the Service Leader reads only
        with pytest.raises(NotAllowed):
            _correct(contact, stranger, date=days_ago(3))
    _correct(contact, tess, date=days_ago(3), reason="The Team Leader checked the diary.")
    assert ContactCorrection.objects.get().corrected_by == tess


def test_correct_page_404_for_another_team_403_for_the_service_leader(client, alice, charlie, sol):
    yp = young_person(alice)
    contact = _visit(yp, alice, date=days_ago(2))
    url = reverse("contacts:correct", args=[yp.pk, contact.pk])
    assert login(client, charlie).get(url).status_code == 404
    assert login(client, sol).get(url).status_code == 403


def test_correct_page_saves_and_the_manager_sees_the_earlier_version(client, alice, tess):
    yp = young_person(alice)
    contact = _visit(yp, alice, date=days_ago(2))
    url = reverse("contacts:correct", args=[yp.pk, contact.pk])
    login(client, alice)
    form = client.get(url).context["form"]
    assert form.initial["version"] == 1
    response = client.post(url, {"version": 1, "date": days_ago(5).isoformat(), "time": "10:30", "method": "home_visit",
                                 "outcome": "completed", "note": "Seen at home.", "reason": "Wrong day in the diary."})
    assert response.status_code == 302
    # The same form sent again (read at version 1) is refused: nothing changes, the message says why.
    again = client.post(url, {"version": 1, "date": days_ago(6).isoformat(), "time": "", "method": "home_visit",
                              "outcome": "completed", "note": "Seen at home.", "reason": "Another go."})
    assert again.status_code == 200 and "corrected this contact after you opened it" in again.content.decode()
    contact.refresh_from_db()
    assert contact.date == days_ago(5) and contact.time == dt.time(10, 30)
    body = login(client, tess).get(url).content.decode()
    assert "Earlier versions" in body and "Wrong day in the diary." in body and str(days_ago(2)) in body
    # The PA does not see the earlier versions on the page (managers do).
    assert "Earlier versions" not in login(client, alice).get(url).content.decode()
