"""Every returns service writes its audit event in its own transaction (core.audit)."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from core.errors import NotAllowed, ServiceError
from core.models import AuditEvent, AuditKind
from returns.services import in_touch_check_record, young_person_returns_update
from tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def yp(alice):
    return YoungPersonFactory(pa=alice, date_of_birth=dt.date(2007, 6, 15), sex="F", ethnicity="WBRI", upn="UN2")


@time_machine.travel(dt.datetime(2025, 6, 1, 12, 0, tzinfo=timezone.get_default_timezone()), tick=False)
def test_x1_in_touch_check_record_writes_in_touch_check_recorded(alice, yp):
    check = in_touch_check_record(young_person=yp, date=dt.date(2025, 6, 1), in_touch="YES", activity="F5",
                                  accommodation="D1", actor=alice)
    event = AuditEvent.objects.get(kind=AuditKind.IN_TOUCH_CHECK_RECORDED)
    assert (event.actor, event.young_person, event.object_id) == (alice, yp, str(check.pk))
    assert event.data["in_touch"] == "YES"
    assert event.data["contact"] is None


@time_machine.travel(dt.datetime(2025, 6, 1, 12, 0, tzinfo=timezone.get_default_timezone()), tick=False)
def test_x1_refused_or_invalid_check_writes_no_event(alice, charlie, yp):
    with pytest.raises(NotAllowed):
        in_touch_check_record(young_person=yp, date=dt.date(2025, 6, 1), in_touch="YES", activity="F5",
                              accommodation="D1", actor=charlie)
    with pytest.raises(ServiceError) as excinfo:
        in_touch_check_record(young_person=yp, date=dt.date(2025, 6, 2), in_touch="YES", activity="F5",
                              accommodation="D1", actor=alice)
    assert excinfo.value.field == "date"
    assert not AuditEvent.objects.exists()


def test_x2_returns_details_update_writes_returns_details_updated(alice, yp):
    young_person_returns_update(young_person=yp, sex="M", ethnicity="WBRI", upn="UN2", uasc=False, disability=True,
                                actor=alice)
    event = AuditEvent.objects.get(kind=AuditKind.RETURNS_DETAILS_UPDATED)
    assert (event.actor, event.young_person) == (alice, yp)
    assert event.data == {"changed": {"sex": "M", "disability": True}}


def test_x2_unchanged_details_and_bad_codes_write_no_event(alice, yp):
    young_person_returns_update(young_person=yp, sex="F", ethnicity="WBRI", upn="UN2", uasc=False, disability=False,
                                actor=alice)
    with pytest.raises(ServiceError) as excinfo:
        young_person_returns_update(young_person=yp, sex="X", ethnicity="WBRI", upn="", uasc=False, disability=False,
                                    actor=alice)
    assert excinfo.value.field == "sex"
    assert not AuditEvent.objects.filter(kind=AuditKind.RETURNS_DETAILS_UPDATED).exists()
