"""Issue 16: the young person's page asks whether the reader may mark a contact as recorded in error or correct it
once per member of staff who recorded contacts (casework.views._timeline_rows), not twice per contact; the links are
the same as when each contact was asked about."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from careleavers.models import Role
from tests.conftest import login
from tests.factories import ContactFactory, StaffFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db


def _links(html: str, name: str) -> set[int]:
    return {int(pk) for pk in re.findall(rf'href="/young-people/\d+/contacts/(\d+)/{name}/"', html)}


@pytest.fixture
def timeline(alice, north):
    bob = StaffFactory(ref="bob", name="Bob Brown", role=Role.PA, team=north)
    yp = YoungPersonFactory(pa=alice)
    mine = [ContactFactory(young_person=yp, recorded_by=alice, date=dt.date(2026, 1, d)) for d in (5, 6, 7)]
    bobs = [ContactFactory(young_person=yp, recorded_by=bob, date=dt.date(2026, 1, d)) for d in (8, 9)]
    nobody = ContactFactory(young_person=yp, recorded_by=None, date=dt.date(2026, 1, 10))
    voided = ContactFactory(young_person=yp, recorded_by=alice, date=dt.date(2026, 1, 11), voided_at=dt.datetime(
        2026, 1, 12, tzinfo=dt.UTC), void_reason="Wrong person")
    return yp, mine, bobs, nobody, voided


def test_a_pa_may_change_only_the_contacts_they_recorded(client, alice, timeline):
    yp, mine, _bobs, _nobody, _voided = timeline
    login(client, alice)
    html = client.get(reverse("young_person", args=[yp.pk])).content.decode()
    assert f'href="{reverse("contacts:void", args=[yp.pk, mine[0].pk])}"' in html
    assert _links(html, "void") == _links(html, "correct") == {c.pk for c in mine}
    assert "Recorded in error: Wrong person" in html


def test_the_team_leader_may_change_every_contact_not_voided(client, tess, timeline):
    yp, mine, bobs, nobody, _voided = timeline
    login(client, tess)
    html = client.get(reverse("young_person", args=[yp.pk])).content.decode()
    assert _links(html, "void") == _links(html, "correct") == {c.pk for c in [*mine, *bobs, nobody]}
