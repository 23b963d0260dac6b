"""Pages: log a contact (C1-C3), void it, record an escalation step (E)."""

import datetime as dt

import pytest
from django.urls import reverse

from careleavers.models import Accommodation
from contacts.models import Contact, Escalation, Outcome, VisitCheck
from tests.careleavers.helpers import days_ago, requirement, today, young_person
from tests.conftest import login
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def home_visit(on: dt.date, **extra) -> dict:
    return {
        "date": on.isoformat(), "time": "", "method": "home_visit", "with_whom": "young_person",
        "outcome": "completed", "purpose": "", "note": "Flat is warm; talked about college.",
        "check-health_and_safety": "good", "check-furnishings_and_kitchen": "adequate", "check-occupancy": "good",
        "check-trend": "improved", **extra,
    }


def test_c1_log_a_home_visit_and_see_the_new_due_date(client, alice):
    yp = young_person(alice, allocated_days_ago=100)
    login(client, alice)
    url = reverse("contacts:log", args=[yp.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, home_visit(days_ago(1), time="10:30"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("young_person", args=[yp.pk])
    due = days_ago(1) + dt.timedelta(days=56)
    body = response.content.decode()
    assert f"Visit due {due.day} {due:%b %Y}" in body  # the message
    assert f'<td class="due">{due.day} {due:%b %Y}</td>' in body  # the requirement row
    contact = Contact.objects.get()
    assert contact.time == dt.time(10, 30) and contact.recorded_by == alice
    assert VisitCheck.objects.get(contact=contact).trend == "improved"


def test_c3_missing_checklist_item_is_shown_next_to_it_and_nothing_is_saved(client, alice):
    yp = young_person(alice)
    login(client, alice)
    data = home_visit(today())
    del data["check-occupancy"]
    response = client.post(reverse("contacts:log", args=[yp.pk]), data)
    assert response.status_code == 200
    assert "occupancy" in str(response.context["check_form"].errors["occupancy"])
    assert b'href="#id_check-occupancy"' in response.content
    assert not Contact.objects.exists()


def test_c3_hostel_shows_and_requires_the_short_term_items(client, alice):
    yp = young_person(alice, accommodation=Accommodation.HOSTEL)
    login(client, alice)
    url = reverse("contacts:log", args=[yp.pk])
    assert b'name="check-laundry"' in client.get(url).content
    response = client.post(url, home_visit(today()))
    assert "cooking" in response.context["check_form"].errors
    response = client.post(url, home_visit(today(), **{
        "check-cooking": "good", "check-laundry": "good", "check-house_rules": "good",
        "check-overall_suitability": "suitable"}))
    assert response.status_code == 302
    assert VisitCheck.objects.get().overall_suitability == "suitable"


def test_c3_short_term_items_are_not_asked_for_other_accommodation(client, alice):
    yp = young_person(alice, accommodation=Accommodation.OWN_TENANCY)
    login(client, alice)
    assert b'name="check-laundry"' not in client.get(reverse("contacts:log", args=[yp.pk])).content


def test_c1_future_date_is_refused_with_an_error_summary_linking_to_the_field(client, alice):
    yp = young_person(alice)
    login(client, alice)
    response = client.post(reverse("contacts:log", args=[yp.pk]), home_visit(today() + dt.timedelta(days=1)))
    assert response.status_code == 200
    assert "cannot be in the future" in str(response.context["form"].errors["date"])
    body = response.content.decode()
    assert 'id="error-summary"' in body and 'href="#id_date"' in body
    assert not Contact.objects.exists()


def test_s5_keeping_in_touch_offer_link_preselects_the_purpose(client, alice):
    yp = young_person(alice)
    login(client, alice)
    response = client.get(reverse("contacts:log", args=[yp.pk]), {"purpose": "kit_offer"})
    assert response.context["form"]["purpose"].value() == "kit_offer"


def test_void_a_contact_recorded_in_error(client, alice):
    yp = young_person(alice, allocated_days_ago=100)
    login(client, alice)
    client.post(reverse("contacts:log", args=[yp.pk]), home_visit(days_ago(1)))
    contact = Contact.objects.get()
    url = reverse("contacts:void", args=[yp.pk, contact.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": ""})
    assert "reason" in response.context["form"].errors
    response = client.post(url, {"reason": "Wrong young person"}, follow=True)
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.voided_at is not None
    assert requirement(yp).last_met is None
    assert b"Recorded in error: Wrong young person" in response.content


def test_void_url_with_another_young_persons_contact_is_404(client, alice):
    mine, other = young_person(alice), young_person(alice)
    contact = ContactFactory(young_person=other, date=days_ago(2))
    login(client, alice)
    assert client.post(reverse("contacts:void", args=[mine.pk, contact.pk]), {"reason": "x"}).status_code == 404
    contact.refresh_from_db()
    assert contact.voided_at is None


def test_e1_record_the_suggested_step_from_the_young_person_page(client, alice):
    yp = young_person(alice)
    ContactFactory(young_person=yp, date=days_ago(3), outcome=Outcome.NO_RESPONSE)
    login(client, alice)
    page = client.get(reverse("young_person", args=[yp.pk])).content.decode()
    assert 'name="step" value="phone_call"' in page
    response = client.post(reverse("contacts:escalate", args=[yp.pk]),
                           {"step": "phone_call", "date": days_ago(2).isoformat(), "note": "Voicemail left"}, follow=True)
    assert response.status_code == 200
    assert Escalation.objects.get().note == "Voicemail left"
    assert response.context["next_step"].step == "letter"


def test_e2_escalation_page_suggests_the_next_step_and_checks_the_date(client, alice):
    yp = young_person(alice)
    ContactFactory(young_person=yp, date=days_ago(3), outcome=Outcome.NO_RESPONSE)
    login(client, alice)
    url = reverse("contacts:escalate", args=[yp.pk])
    assert client.get(url).context["form"]["step"].value() == "phone_call"
    response = client.post(url, {"step": "letter", "date": (today() + dt.timedelta(days=3)).isoformat(), "note": "Posted"})
    assert "cannot be in the future" in str(response.context["form"].errors["date"])
    assert not Escalation.objects.exists()


# --- the home-visit checklist fragment (C3) -------------------------------------------------------


def visit_check(client, yp, **params):
    return client.get(reverse("contacts:visit_check", args=[yp.pk]), {
        "method": "home_visit", "with_whom": "young_person", "outcome": "completed", **params})


def test_c3_checklist_fragment_is_shown_for_a_completed_home_visit_with_the_young_person(client, alice):
    yp = young_person(alice, accommodation=Accommodation.OWN_TENANCY)
    login(client, alice)
    response = visit_check(client, yp)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="visit-check"' in body and 'name="check-health_and_safety"' in body
    assert 'name="check-laundry"' not in body


@pytest.mark.parametrize("params", [
    {"method": "phone_call"}, {"with_whom": "family"}, {"outcome": "no_response"}, {"method": ""},
])
def test_c3_checklist_fragment_is_empty_otherwise(client, alice, params):
    yp = young_person(alice)
    login(client, alice)
    response = visit_check(client, yp, **params)
    assert response.status_code == 200
    assert response.content == b""


def test_c3_checklist_fragment_asks_the_short_term_items_in_a_hostel(client, alice):
    yp = young_person(alice, accommodation=Accommodation.HOSTEL)
    login(client, alice)
    body = visit_check(client, yp).content.decode()
    assert 'name="check-laundry"' in body and "B&amp;B or hostel" in body


def test_c3_checklist_fragment_leaves_a_checklist_already_shown_alone(client, alice):
    yp = young_person(alice)
    login(client, alice)
    assert visit_check(client, yp, visit_check_shown="1").status_code == 204


def test_c3_checklist_fragment_needs_the_permission_to_log_a_contact(client, alice, charlie, tess):
    mine, theirs = young_person(alice), young_person(charlie)
    login(client, alice)
    assert visit_check(client, theirs).status_code == 404  # another team's young person
    login(client, tess)  # the Team Leader may log a contact for the team's young people
    assert visit_check(client, mine).status_code == 200


def test_c3_contact_form_has_no_script_and_works_without_it(client, alice):
    yp = young_person(alice)
    login(client, alice)
    body = client.get(reverse("contacts:log", args=[yp.pk])).content.decode()
    assert reverse("contacts:visit_check", args=[yp.pk]) in body and "hx-get" in body
    content = body[body.index("<main"):body.index("</main>")]
    assert "<script" not in content
    # Without JavaScript the checklist is on the page (inside noscript while it does not apply yet).
    assert "<noscript>" in content and 'name="check-health_and_safety"' in content
    response = client.post(reverse("contacts:log", args=[yp.pk]), {**home_visit(today()), "check-trend": ""})
    assert "trend" in response.context["check_form"].errors
    assert "<noscript>" not in response.content.decode()  # a home visit: shown as it is


def test_c3_every_missing_checklist_answer_is_reported_at_once(client, alice):
    """issue 15, item 3: not one missing answer per submit, but all of them, each next to its question."""
    yp = young_person(alice, accommodation=Accommodation.HOSTEL)
    login(client, alice)
    data = home_visit(today())
    for name in ("check-occupancy", "check-trend"):
        del data[name]
    response = client.post(reverse("contacts:log", args=[yp.pk]), data)
    errors = response.context["check_form"].errors
    assert {"occupancy", "trend", "cooking", "laundry", "house_rules", "overall_suitability"} <= set(errors)
    assert all(str(e[0]).startswith("Choose an answer for") for e in errors.values())
    assert b'href="#id_check-occupancy"' in response.content and b'href="#id_check-laundry"' in response.content
    assert not Contact.objects.exists()


def test_c3_missing_checklist_answers_are_reported_with_the_forms_own_errors(client, alice):
    """issue 15, item 3: a completed home visit with no case note and an empty checklist reports the case note and
    every checklist answer on the same page, not the checklist one round later."""
    yp = young_person(alice, accommodation=Accommodation.HOSTEL)
    login(client, alice)
    data = {key: value for key, value in home_visit(today()).items() if not key.startswith("check-")}
    data["note"] = ""
    response = client.post(reverse("contacts:log", args=[yp.pk]), data)
    assert "note" in response.context["form"].errors
    errors = response.context["check_form"].errors
    assert {"health_and_safety", "furnishings_and_kitchen", "occupancy", "trend", "cooking", "laundry", "house_rules",
            "overall_suitability"} <= set(errors)
    body = response.content.decode()
    assert 'href="#id_note"' in body and 'href="#id_check-health_and_safety"' in body
    assert not Contact.objects.exists()
