"""careleavers.services: events (T6, T7, P1), planned absences (V5), notifications."""

import datetime as dt

import pytest

from careleavers import services
from careleavers.models import AbsenceReason, Event, EventKind, Notification, PlannedAbsence
from compliance import services as compliance_services
from core.errors import NotAllowed, ServiceError
from tests.careleavers.helpers import days_ago, requirement, today, young_person
from tests.factories import ContactFactory, SignedOffPlanFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_t6_custody_start_brings_the_visit_forward_to_within_28_days(alice):
    yp = young_person(alice)
    ContactFactory(young_person=yp, date=days_ago(10))
    compliance_services.event_record(young_person=yp, actor=alice, kind=EventKind.CUSTODY_START, date=days_ago(5))
    row = requirement(yp)
    assert row.due == days_ago(5) + dt.timedelta(days=28)
    assert row.basis == "event"


def test_t7_emergency_placement_brings_the_visit_forward_to_within_a_week(alice):
    yp = young_person(alice)
    ContactFactory(young_person=yp, date=days_ago(10))
    compliance_services.event_record(young_person=yp, actor=alice, kind=EventKind.EMERGENCY_PLACEMENT, date=days_ago(2),
                          notes="B&B after eviction")
    assert requirement(yp).due == days_ago(2) + dt.timedelta(days=7)
    assert Event.objects.get().recorded_by == alice


def test_p1_move_of_accommodation_brings_the_review_forward(alice):
    yp = young_person(alice)
    SignedOffPlanFactory(young_person=yp, review_date=days_ago(30))
    compliance_services.event_record(young_person=yp, actor=alice, kind=EventKind.ACCOMMODATION_MOVE, date=days_ago(1))
    assert requirement(yp, "pathway_review").due == days_ago(1) + dt.timedelta(days=28)


def test_event_dates_are_checked_like_contacts(alice):
    yp = young_person(alice, allocated_days_ago=30)
    with pytest.raises(ServiceError, match="future"):
        compliance_services.event_record(young_person=yp, actor=alice, kind=EventKind.SIGNIFICANT_CHANGE,
                              date=today() + dt.timedelta(days=1))
    with pytest.raises(ServiceError, match="allocated"):
        compliance_services.event_record(young_person=yp, actor=alice, kind=EventKind.SIGNIFICANT_CHANGE, date=days_ago(31))
    assert not Event.objects.exists()


def test_event_for_another_teams_young_person_is_refused(alice, charlie):
    yp = young_person(alice)
    with pytest.raises(NotAllowed):
        compliance_services.event_record(young_person=yp, actor=charlie, kind=EventKind.CUSTODY_START, date=today())
    assert not Event.objects.exists()


def test_v5_absence_is_planned_for_yourself_only(alice, charlie):
    start = today() + dt.timedelta(days=3)
    absence = services.absence_add(staff=alice, actor=alice, start=start, end=start + dt.timedelta(days=4),
                                   reason=AbsenceReason.TRAINING)
    assert absence.staff == alice
    with pytest.raises(NotAllowed):
        services.absence_add(staff=alice, actor=charlie, start=start, end=start, reason=AbsenceReason.FLEXI)


@pytest.mark.parametrize(("start", "end", "field"), [
    (10, 5, "end"),  # ends before it starts
    (-10, -5, "end"),  # already over
    (6, 8, "start"),  # overlaps the one planned below
])
def test_v5_absence_dates_are_checked(alice, start, end, field):
    services.absence_add(staff=alice, actor=alice, start=today() + dt.timedelta(days=5),
                         end=today() + dt.timedelta(days=9), reason=AbsenceReason.ANNUAL_LEAVE)
    with pytest.raises(ServiceError) as excinfo:
        services.absence_add(staff=alice, actor=alice, start=today() + dt.timedelta(days=start),
                             end=today() + dt.timedelta(days=end), reason=AbsenceReason.ANNUAL_LEAVE)
    assert excinfo.value.field == field
    assert PlannedAbsence.objects.count() == 1


def test_notifications_are_marked_read_only_for_their_recipient(alice, charlie):
    mine = Notification.objects.create(recipient=alice, kind="x", message="Mine")
    theirs = Notification.objects.create(recipient=charlie, kind="x", message="Theirs")
    assert services.notification_mark_read(actor=alice, notification_id=theirs.pk) == 0
    assert services.notification_mark_read(actor=alice, notification_id=mine.pk) == 1
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert theirs.read_at is None


def test_notifications_mark_all_read(alice):
    for n in range(3):
        Notification.objects.create(recipient=alice, kind="x", message=f"n{n}")
    other = StaffFactory()
    Notification.objects.create(recipient=other, kind="x", message="other")
    assert services.notification_mark_read(actor=alice) == 3
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
