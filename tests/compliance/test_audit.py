"""Every compliance service writes its audit event in its own transaction (core.audit)."""

import pytest
from django.contrib.auth import get_user_model

from careleavers.models import EventKind
from compliance.models import PolicyPack
from compliance.services import event_record, pack_activate, pack_changed
from core.errors import NotAllowed
from core.models import AuditEvent, AuditKind
from tests.careleavers.helpers import days_ago, young_person

pytestmark = pytest.mark.django_db


def test_t6_event_record_writes_event_recorded(alice):
    yp = young_person(alice)
    event = event_record(young_person=yp, actor=alice, kind=EventKind.CUSTODY_START, date=days_ago(1))
    audit = AuditEvent.objects.get(kind=AuditKind.EVENT_RECORDED)
    assert (audit.actor, audit.young_person, audit.object_type, audit.object_id) == (
        alice, yp, "careleavers.event", str(event.pk))
    assert audit.data == {"event_kind": EventKind.CUSTODY_START, "date": days_ago(1).isoformat()}


def test_refused_event_writes_no_event(alice, charlie):
    with pytest.raises(NotAllowed):
        event_record(young_person=young_person(alice), actor=charlie, kind=EventKind.CUSTODY_START, date=days_ago(1))
    assert not AuditEvent.objects.exists()


def test_v1_pack_activate_writes_pack_activated(sol):
    pack = pack_activate(pack=PolicyPack.objects.get(key="tower_hamlets"), actor=sol)
    event = AuditEvent.objects.get(kind=AuditKind.PACK_ACTIVATED)
    assert (event.actor, event.object_type, event.object_id) == (sol, "compliance.policypack", str(pack.pk))
    assert event.data == {"key": "tower_hamlets", "previous": ["england"]}


def test_v1_pack_changed_writes_pack_changed():
    pack_changed(pack=PolicyPack.objects.get(key="england"))
    event = AuditEvent.objects.get(kind=AuditKind.PACK_CHANGED)
    assert event.actor is None
    assert event.data == {"key": "england", "is_active": True}


def test_admin_action_is_audited(client):
    admin = get_user_model().objects.create_superuser("root", "root@example.gov.uk", "correct horse battery")
    client.force_login(admin)
    pcc = PolicyPack.objects.get(key="pcc")
    client.post("/admin/compliance/policypack/", {"action": "make_active", "_selected_action": [pcc.pk]})
    event = AuditEvent.objects.get(kind=AuditKind.PACK_ACTIVATED)
    assert event.object_id == str(pcc.pk)
    assert event.actor is None
