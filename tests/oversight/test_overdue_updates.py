"""O1/V4: a PA's recorded reason for an overdue item is kept (a new update is a new row) and
shown to managers; the form is reached from the young person's page."""

import datetime as dt

import pytest
from django.urls import reverse

from careleavers.models import CaseNote
from core.errors import InvalidState, NotAllowed, ServiceError
from oversight.models import OverdueUpdate
from oversight.services import overdue_update_add
from tests.conftest import login

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


def add(yp, actor, code="visit", reason="Cancelled twice", plan="Visit booked 3 March"):
    return overdue_update_add(young_person=yp, requirement=code, reason=reason, plan=plan, actor=actor, today=AS_OF)


def test_v4_pa_update_is_kept_and_a_new_update_is_a_new_row(service, alice):
    first = add(service.a3, alice)
    second = add(service.a3, alice, reason="Moved to a hostel", plan="Unannounced visit")
    assert (first.version, second.version) == (1, 2)
    assert first.due == second.due == dt.date(2025, 7, 27) and first.recorded_on == AS_OF
    first.refresh_from_db()
    assert first.reason == "Cancelled twice"  # never overwritten
    notes = CaseNote.objects.filter(young_person=service.a3, kind="oversight")
    assert notes.count() == 2 and "Moved to a hostel" in notes.first().text


def test_v4_update_only_for_an_overdue_item(service, alice):
    with pytest.raises(InvalidState, match="not overdue"):
        add(service.a2, alice)  # due soon, not overdue
    assert not OverdueUpdate.objects.exists()


def test_o1_only_the_pa_records_an_update(service, tess, charlie):
    with pytest.raises(NotAllowed):
        add(service.a3, tess)
    with pytest.raises(NotAllowed):
        add(service.a3, charlie)  # another team's PA


def test_o1_update_needs_reason_and_plan(service, alice):
    with pytest.raises(ServiceError):
        add(service.a3, alice, reason="   ")


def test_o1_panel_lists_overdue_items_with_an_add_update_link(client, service, alice, on_as_of):
    add(service.a3, alice)
    login(client, alice)
    html = client.get(reverse("young_person", args=[service.a3.pk])).content.decode()
    assert "Overdue items and the PA" in html and "Cancelled twice" in html
    assert reverse("oversight:overdue_update", args=[service.a3.pk, "visit"]) in html
    assert reverse("oversight:overdue_update", args=[service.a3.pk, "pathway_review"]) in html


def test_o1_panel_shows_managers_the_update_without_the_link(client, service, alice, tess, on_as_of):
    add(service.a3, alice)
    login(client, tess)
    html = client.get(reverse("young_person", args=[service.a3.pk])).content.decode()
    assert "Cancelled twice" in html
    assert reverse("oversight:overdue_update", args=[service.a3.pk, "visit"]) not in html


def test_o1_panel_hidden_when_nothing_is_overdue(client, service, alice, on_as_of):
    login(client, alice)
    assert "Overdue items and the PA" not in client.get(reverse("young_person", args=[service.a1.pk])).content.decode()


def test_o1_pa_records_an_update_through_the_form(client, service, alice, on_as_of):
    login(client, alice)
    url = reverse("oversight:overdue_update", args=[service.a3.pk, "visit"])
    assert "Update on the overdue visit" in client.get(url).content.decode()
    response = client.post(url, {"reason": "Young person in hospital", "plan": "Visit on discharge"})
    assert response.status_code == 302 and response.url.startswith(reverse("young_person", args=[service.a3.pk]))
    update = OverdueUpdate.objects.get()
    assert (update.author, update.reason, update.requirement) == (alice, "Young person in hospital", "visit")


def test_o1_form_explains_missing_answers_and_saves_nothing(client, service, alice, on_as_of):
    login(client, alice)
    url = reverse("oversight:overdue_update", args=[service.a3.pk, "visit"])
    html = client.post(url, {"reason": "", "plan": ""}).content.decode()
    assert "There is a problem" in html and "Say why the item is overdue." in html
    assert not OverdueUpdate.objects.exists()


def test_o1_form_404_for_someone_elses_young_person_and_403_for_managers(client, service, charlie, tess, on_as_of):
    url = reverse("oversight:overdue_update", args=[service.a3.pk, "visit"])
    login(client, charlie)
    assert client.get(url).status_code == 404
    login(client, tess)
    assert client.get(url).status_code == 403


def test_o1_form_for_an_item_not_overdue_goes_back_with_a_message(client, service, alice, on_as_of):
    login(client, alice)
    response = client.get(reverse("oversight:overdue_update", args=[service.a2.pk, "visit"]), follow=True)
    assert "not overdue" in response.content.decode()
    assert client.get(reverse("oversight:overdue_update", args=[service.a3.pk, "nonsense"])).status_code == 404
