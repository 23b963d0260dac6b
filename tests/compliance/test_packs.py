"""Policy packs are data: one active pack, switched in the admin or by a bundle, and edits recompute."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from compliance.models import PackRequirement, PolicyPack, Requirement
from compliance.services import pack_activate, pack_changed
from tests.factories import ContactFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db


def _visit_due(yp):
    return Requirement.objects.get(young_person=yp, code="visit").due


def _young_person_seen_today():
    today = timezone.localdate()
    yp = YoungPersonFactory(date_of_birth=today - dt.timedelta(days=18 * 366), allocated_on=today - dt.timedelta(days=100))
    ContactFactory(young_person=yp, date=today)
    return yp, today


def test_v1_pack_activate_switches_the_one_active_pack_and_recomputes():
    yp, today = _young_person_seen_today()
    pack_activate(pack=PolicyPack.objects.get(key="england"))
    assert _visit_due(yp) == today + dt.timedelta(days=56)  # V1
    pack_activate(pack=PolicyPack.objects.get(key="tower_hamlets"))
    assert list(PolicyPack.objects.filter(is_active=True).values_list("key", flat=True)) == ["tower_hamlets"]
    assert _visit_due(yp) == today + dt.timedelta(days=42)  # T1


def test_v1_editing_the_active_packs_interval_moves_due_dates():
    yp, today = _young_person_seen_today()
    pack_activate(pack=PolicyPack.objects.get(key="england"))
    row = PackRequirement.objects.get(pack__key="england", arrangement_kind="standard", circumstance="standard",
                                      requirement="visit")
    row.interval_days = 28
    row.save()
    pack_changed(pack=row.pack)
    assert _visit_due(yp) == today + dt.timedelta(days=28)


def test_admin_action_makes_a_pack_active_and_refuses_two_at_once(client):
    admin = get_user_model().objects.create_superuser("root", "root@example.gov.uk", "correct horse battery")
    client.force_login(admin)
    url = "/admin/compliance/policypack/"
    pcc, tct2 = PolicyPack.objects.get(key="pcc"), PolicyPack.objects.get(key="tct2")
    response = client.post(url, {"action": "make_active", "_selected_action": [pcc.pk, tct2.pk]}, follow=True)
    assert "Choose exactly one pack" in response.content.decode()
    assert PolicyPack.objects.get(is_active=True).key == "england"
    client.post(url, {"action": "make_active", "_selected_action": [pcc.pk]})
    assert PolicyPack.objects.get(is_active=True).key == "pcc"
