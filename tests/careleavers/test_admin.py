"""The admin reads; services write (issue 14, item 3). It never deletes; case records, decisions,
case notes, plans and arrangements are read-only (the admin no longer edits case records, so the old
"an admin edit recomputes at once" test now asserts that the edit is refused); the nightly schedule
cannot be deleted; every admin change is in the audit log."""

import datetime as dt

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from careleavers.models import CaseNote, IntervalOverride, Team
from core.models import AuditEvent, AuditKind
from oversight.schedule import NIGHTLY_SCHEDULE
from tests.factories import ArrangementFactory, ContactFactory, SignedOffPlanFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = get_user_model().objects.create_superuser("root", "root@example.gov.uk", "correct horse battery")
    client.force_login(admin)
    return client


def test_v1_an_interval_override_cannot_be_added_in_the_admin(admin_client):
    """Was: adding an override in the admin recomputes at once. The admin no longer writes case records."""
    today = timezone.localdate()
    yp = YoungPersonFactory(date_of_birth=today - dt.timedelta(days=19 * 366), allocated_on=today - dt.timedelta(days=30))
    response = admin_client.post("/admin/careleavers/intervaloverride/add/", {
        "young_person": yp.pk, "requirement": "visit", "interval_days": 14, "reason": "Risk: weekly checks agreed",
    })
    assert response.status_code == 403
    assert not IntervalOverride.objects.exists()


def test_nothing_can_be_deleted_from_the_admin(admin_client):
    yp = YoungPersonFactory()
    assert admin_client.get(f"/admin/careleavers/youngperson/{yp.pk}/delete/").status_code == 403


def test_a_young_person_is_read_only_in_the_admin(admin_client):
    yp = YoungPersonFactory(name="Before")
    page = admin_client.get(f"/admin/careleavers/youngperson/{yp.pk}/change/")
    assert page.status_code == 200
    assert b'name="name"' not in page.content  # shown, not editable
    admin_client.post(f"/admin/careleavers/youngperson/{yp.pk}/change/", {"name": "After"})
    yp.refresh_from_db()
    assert yp.name == "Before"
    assert admin_client.get("/admin/careleavers/youngperson/add/").status_code == 403


@pytest.mark.parametrize("url", [
    "/admin/careleavers/casenote/add/",
    "/admin/approvals/arrangementdecision/add/",
    "/admin/pathway/plandecision/add/",
    "/admin/approvals/arrangement/add/",
    "/admin/pathway/pathwayplan/add/",
    "/admin/contacts/contact/add/",
])
def test_no_decision_note_plan_or_arrangement_is_added_in_the_admin(admin_client, url):
    """No one adds a decision or a case note in someone else's name."""
    assert admin_client.get(url).status_code == 403


def test_a_signed_off_plan_cannot_be_edited_back_to_draft(admin_client):
    plan = SignedOffPlanFactory()
    admin_client.post(f"/admin/pathway/pathwayplan/{plan.pk}/change/", {"state": "draft"})
    plan.refresh_from_db()
    assert plan.state == "signed_off"


def test_a_requested_arrangement_cannot_be_set_active_in_the_admin(admin_client):
    arrangement = ArrangementFactory()
    before = arrangement.state
    admin_client.post(f"/admin/approvals/arrangement/{arrangement.pk}/change/", {"state": "active"})
    arrangement.refresh_from_db()
    assert arrangement.state == before


def test_a_contact_cannot_be_changed_in_the_admin(admin_client):
    contact = ContactFactory()
    assert admin_client.get(f"/admin/contacts/contact/{contact.pk}/change/").status_code == 200  # read
    assert b'name="date"' not in admin_client.get(f"/admin/contacts/contact/{contact.pk}/change/").content
    assert not CaseNote.objects.exists()


def _nightly():
    crontab = CrontabSchedule.objects.create(minute="15", hour="3", timezone=NIGHTLY_SCHEDULE.timezone)
    task, _ = PeriodicTask.objects.update_or_create(
        name=NIGHTLY_SCHEDULE.name, defaults={"task": NIGHTLY_SCHEDULE.task, "crontab": crontab})
    return task


def test_the_nightly_schedule_cannot_be_deleted_from_the_admin(admin_client):
    task = _nightly()
    assert admin_client.get(f"/admin/django_celery_beat/periodictask/{task.pk}/delete/").status_code == 403
    admin_client.post("/admin/django_celery_beat/periodictask/", {
        "action": "delete_selected", "_selected_action": [task.pk], "post": "yes"})
    assert PeriodicTask.objects.filter(pk=task.pk).exists()


def test_other_periodic_tasks_can_still_be_deleted(admin_client):
    _nightly()
    crontab = CrontabSchedule.objects.first()
    other = PeriodicTask.objects.create(name="Something else", task="celery.backend_cleanup", crontab=crontab)
    response = admin_client.post(f"/admin/django_celery_beat/periodictask/{other.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not PeriodicTask.objects.filter(pk=other.pk).exists()
    event = AuditEvent.objects.get(kind=AuditKind.ADMIN_CHANGE, object_type="django_celery_beat.periodictask")
    assert event.data["action"] == "deleted"
    assert event.data["user"] == "root"


def test_every_admin_change_is_in_the_audit_log(admin_client):
    team = Team.objects.create(ref="T9", name="Old name")
    response = admin_client.post(f"/admin/careleavers/team/{team.pk}/change/", {"ref": "T9", "name": "New name"})
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(kind=AuditKind.ADMIN_CHANGE)
    assert event.object_type == "careleavers.team"
    assert event.object_id == str(team.pk)
    assert event.data["action"] == "changed"
    assert "Name" in event.data["message"]


def test_a_log_entry_written_any_other_way_is_audited_too():
    user = get_user_model().objects.create_user("ops", "ops@example.gov.uk", "correct horse battery")
    team = Team.objects.create(ref="T8", name="A team")
    LogEntry.objects.create(user=user, content_type=ContentType.objects.get_for_model(Team), object_id=str(team.pk),
                            object_repr=str(team), action_flag=CHANGE, change_message="edited")
    assert AuditEvent.objects.filter(kind=AuditKind.ADMIN_CHANGE, data__user="ops").count() == 1
