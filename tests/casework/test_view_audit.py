"""Issue 14, item 7: opening a plan or an arrangement is a view of the young person's record, and is logged."""

import pytest
from django.urls import reverse

from core.models import AuditEvent, AuditKind
from pathway import services as plan_services
from tests.approvals.test_services import request
from tests.conftest import login
from tests.pathway.helpers import make_young_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def jamie(alice):
    return make_young_person(alice, name="Jamie Doe")


def _viewed(page: str):
    return AuditEvent.objects.filter(kind=AuditKind.RECORD_VIEWED, data__page=page)


def test_opening_a_plan_logs_who_viewed_whose_record(client, jamie, alice):
    plan = plan_services.plan_start(young_person=jamie, actor=alice)
    login(client, alice)
    assert client.get(reverse("pathway:detail", args=[plan.pk])).status_code == 200
    event = _viewed("plan").get()
    assert (event.actor, event.young_person_id, event.data["plan"]) == (alice, jamie.pk, plan.pk)


def test_opening_an_arrangement_logs_who_viewed_whose_record(client, jamie, alice, tess):
    arrangement = request(jamie, alice)
    login(client, tess)
    assert client.get(reverse("approvals:detail", args=[arrangement.pk])).status_code == 200
    event = _viewed("arrangement").get()
    assert (event.actor, event.young_person_id, event.data["arrangement"]) == (tess, jamie.pk, arrangement.pk)


def test_a_plan_someone_may_not_see_is_not_found_and_not_logged(client, jamie, alice, charlie):
    plan = plan_services.plan_start(young_person=jamie, actor=alice)
    login(client, charlie)  # another team's PA
    assert client.get(reverse("pathway:detail", args=[plan.pk])).status_code == 404
    assert not _viewed("plan").exists()
