"""S5: a keeping-in-touch offer names the date and time of the visit offered; three offers declined in a
row open a management-oversight item for the Team Leader, who answers it once; it is kept. E1/E2:
every escalation step needs a note."""

import datetime as dt

import pytest
from django.urls import reverse

from approvals.models import ArrangementKind
from careleavers.models import CaseNote, CaseNoteKind, Notification
from contacts import services
from contacts.models import Contact, EscalationStep, Method, Outcome, OversightItem, OversightKind, Purpose
from core.errors import InvalidState, NotAllowed, ServiceError
from core.models import AuditEvent, AuditKind
from tests.careleavers.helpers import days_ago, today, young_person
from tests.conftest import login
from tests.factories import ArrangementFactory, ContactFactory

pytestmark = pytest.mark.django_db

OFFERED_AT = dt.time(15, 30)


def stepped_back(pa, **fields):
    yp = young_person(pa, allocated_days_ago=400, **fields)
    ArrangementFactory(young_person=yp, kind=ArrangementKind.STEP_BACK, active_from=days_ago(380))
    return yp


def offer(yp, actor, days: int, outcome=Outcome.DECLINED, **extra):
    values = {"young_person": yp, "actor": actor, "date": days_ago(days), "method": Method.LETTER, "outcome": outcome,
              "purpose": Purpose.KIT_OFFER, "note": "Offered a visit.", "offered_date": days_ago(days) + dt.timedelta(days=10),
              "offered_time": OFFERED_AT}
    values.update(extra)
    return services.contact_log(**values)


# --- the offer: date and time (S5) -------------------------------------------------------------------


def test_s5_a_keeping_in_touch_offer_records_the_date_and_time_of_the_visit_offered(alice):
    yp = stepped_back(alice)
    contact = offer(yp, alice, 3, outcome=Outcome.NO_RESPONSE)
    assert (contact.offered_date, contact.offered_time) == (days_ago(3) + dt.timedelta(days=10), OFFERED_AT)
    audit = AuditEvent.objects.get(kind=AuditKind.CONTACT_LOGGED, object_id=str(contact.pk))
    assert audit.data["offered_time"] == "15:30:00"


@pytest.mark.parametrize(("missing", "field"), [("offered_date", "offered_date"), ("offered_time", "offered_time")])
def test_s5_an_offer_without_the_date_or_time_of_the_visit_is_refused(alice, missing, field):
    yp = stepped_back(alice)
    with pytest.raises(ServiceError) as excinfo:
        offer(yp, alice, 3, **{missing: None})
    assert excinfo.value.field == field
    assert not Contact.objects.exists()


def test_s5_other_contacts_offer_no_visit(alice):
    yp = young_person(alice)
    contact = services.contact_log(young_person=yp, actor=alice, date=today(), method=Method.PHONE,
                                   outcome=Outcome.COMPLETED, note="Chat", offered_date=today(), offered_time=OFFERED_AT)
    assert contact.offered_date is None and contact.offered_time is None


def test_s5_the_contact_form_asks_for_the_date_and_time_offered(client, alice):
    yp = stepped_back(alice)
    login(client, alice)
    url = reverse("contacts:log", args=[yp.pk])
    data = {"date": days_ago(1).isoformat(), "time": "", "method": "letter", "with_whom": "young_person",
            "outcome": "declined", "purpose": "kit_offer", "note": "Letter sent", "offered_date": "", "offered_time": ""}
    response = client.post(url, data)
    assert "Give the date of the visit offered" in str(response.context["form"].errors["offered_date"])
    data |= {"offered_date": today().isoformat(), "offered_time": "14:00"}
    assert client.post(url, data).status_code == 302
    assert Contact.objects.get().offered_time == dt.time(14, 0)


# --- three declines in a row open an item (S5) -------------------------------------------------------


def test_s5_three_declined_offers_in_a_row_open_an_item_for_the_team_leader(alice, tess, trent):
    yp = stepped_back(alice, name="Dee Clines")
    offer(yp, alice, 100)
    offer(yp, alice, 60)
    assert not OversightItem.objects.exists()
    third = offer(yp, alice, 10)
    item = OversightItem.objects.get()
    assert (item.young_person, item.kind, item.opened_on, item.contact) == (yp, OversightKind.KIT_DECLINES, days_ago(10), third)
    assert item.is_open and "declined 3 keeping-in-touch offers in a row" in item.reason
    told = Notification.objects.get(recipient=tess, kind="oversight_item")
    assert told.url == reverse("contacts:oversight_item", args=[item.pk])
    assert not Notification.objects.filter(recipient=trent).exists()
    assert CaseNote.objects.filter(young_person=yp, kind=CaseNoteKind.OVERSIGHT).exists()
    assert AuditEvent.objects.filter(kind=AuditKind.OVERSIGHT_ITEM_OPENED, object_id=str(item.pk)).exists()


def test_s5_a_fourth_decline_in_the_same_run_opens_no_second_item(alice, tess):
    yp = stepped_back(alice)
    for days in (100, 60, 30, 5):
        offer(yp, alice, days)
    assert OversightItem.objects.count() == 1


def test_s5_an_offer_answered_breaks_the_run(alice, tess):
    yp = stepped_back(alice)
    offer(yp, alice, 100)
    offer(yp, alice, 60, outcome=Outcome.COMPLETED)
    offer(yp, alice, 30)
    offer(yp, alice, 5)
    assert not OversightItem.objects.exists()
    offer(yp, alice, 1)  # the third decline since the answer
    assert OversightItem.objects.count() == 1


def test_s5_declines_that_are_not_keeping_in_touch_offers_do_not_count(alice, tess):
    yp = stepped_back(alice)
    for days in (30, 20, 10):
        ContactFactory(young_person=yp, date=days_ago(days), method=Method.PHONE, outcome=Outcome.DECLINED)
    offer(yp, alice, 5)
    assert not OversightItem.objects.exists()


# --- the Team Leader answers (S5), per persona ---------------------------------------------------------


@pytest.fixture
def item(alice, tess):
    yp = stepped_back(alice, name="Dee Clines")
    for days in (100, 60, 10):
        offer(yp, alice, days)
    return OversightItem.objects.get()


def test_s5_the_team_leader_answers_once_and_the_answer_is_kept(item, tess):
    services.oversight_item_answer(item=item, actor=tess, answer="Spoke to the PA: keep offering; try the key worker.")
    item.refresh_from_db()
    assert not item.is_open and item.answered_by == tess and item.answer.startswith("Spoke to the PA")
    assert AuditEvent.objects.filter(kind=AuditKind.OVERSIGHT_ITEM_ANSWERED, object_id=str(item.pk)).exists()
    with pytest.raises(InvalidState):
        services.oversight_item_answer(item=item, actor=tess, answer="Again")
    assert item.history.count() == 2  # opened, answered: kept


def test_s5_an_answer_needs_words(item, tess):
    with pytest.raises(ServiceError) as excinfo:
        services.oversight_item_answer(item=item, actor=tess, answer="  ")
    assert excinfo.value.field == "answer"


@pytest.mark.parametrize("who", ["alice", "trent", "sol"])
def test_s5_only_the_young_persons_team_leader_answers(item, who, request):
    with pytest.raises(NotAllowed):
        services.oversight_item_answer(item=item, actor=request.getfixturevalue(who), answer="Noted")


def test_s5_the_team_leader_sees_the_list_and_answers_on_the_page(client, item, tess):
    login(client, tess)
    body = client.get(reverse("contacts:oversight_items")).content.decode()
    assert "Dee Clines" in body and reverse("contacts:oversight_item", args=[item.pk]) in body
    assert reverse("contacts:oversight_items") in body  # the nav entry
    url = reverse("contacts:oversight_item", args=[item.pk])
    assert 'name="answer"' in client.get(url).content.decode()
    response = client.post(url, {"answer": "Agreed: a letter from me too."}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("contacts:oversight_items")
    item.refresh_from_db()
    assert item.answered_by == tess


def test_s5_the_pa_reads_the_item_but_gets_403_for_the_list_and_for_answering(client, item, alice):
    login(client, alice)
    assert client.get(reverse("contacts:oversight_items")).status_code == 403
    url = reverse("contacts:oversight_item", args=[item.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="answer"' not in page.content.decode()
    assert client.post(url, {"answer": "Mine"}).status_code == 403
    assert reverse("contacts:oversight_items") not in client.get(reverse("caseload")).content.decode()


def test_s5_another_team_gets_404_for_the_item_and_an_empty_list(client, item, trent, charlie):
    url = reverse("contacts:oversight_item", args=[item.pk])
    login(client, trent)
    assert client.get(url).status_code == 404
    assert client.post(url, {"answer": "Not mine"}).status_code == 404
    assert "Dee Clines" not in client.get(reverse("contacts:oversight_items")).content.decode()
    login(client, charlie)
    assert client.get(url).status_code == 404
    item.refresh_from_db()
    assert item.is_open


@pytest.mark.parametrize("size", [5, 50])
def test_s5_the_oversight_list_query_count_is_the_same_for_5_and_50(client, alice, tess, size, django_assert_num_queries):
    for n in range(size):
        yp = young_person(alice, recompute=False)
        OversightItem.objects.create(young_person=yp, kind=OversightKind.KIT_DECLINES, opened_on=days_ago(n), reason="r")
    login(client, tess)
    # session / savepoint / user with their staff record (issue 16) / open items / answered items (with their young
    # people) / release
    with django_assert_num_queries(6):
        assert client.get(reverse("contacts:oversight_items")).status_code == 200


# --- E1/E2: every step needs a note ----------------------------------------------------------------------


def test_e1_every_escalation_step_needs_a_note(alice):
    yp = young_person(alice)
    ContactFactory(young_person=yp, date=days_ago(4), outcome=Outcome.NO_RESPONSE)
    with pytest.raises(ServiceError) as excinfo:
        services.escalation_record(young_person=yp, actor=alice, step=EscalationStep.PHONE_CALL, date=days_ago(3))
    assert excinfo.value.field == "note"


def test_e1_the_page_asks_for_a_note_with_every_step(client, alice):
    yp = young_person(alice)
    ContactFactory(young_person=yp, date=days_ago(4), outcome=Outcome.NO_RESPONSE)
    login(client, alice)
    body = client.get(reverse("young_person", args=[yp.pk])).content.decode()
    assert 'id="esc-note" name="note" required' in body
    response = client.post(reverse("contacts:escalate", args=[yp.pk]), {"step": "phone_call", "date": days_ago(1).isoformat()})
    assert "note" in response.context["form"].errors


def test_e2_the_page_says_when_every_step_is_taken_and_keeps_offering_the_missing_person_step(client, alice):
    yp = young_person(alice, vulnerable=True)
    ContactFactory(young_person=yp, date=days_ago(20), outcome=Outcome.NO_RESPONSE)
    services.escalation_record(young_person=yp, actor=alice, step=EscalationStep.MISSING_REPORT_CONSIDERED,
                               date=days_ago(2), note="Out of character; spoke to the police, not reported yet.")
    login(client, alice)
    body = client.get(reverse("young_person", args=[yp.pk])).content.decode()
    assert "No response after every step" in body and 'href="/rules/E2/"' in body and "Every step has been taken" in body
    assert 'name="step" value="missing_report_considered"' in body
