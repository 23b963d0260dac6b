"""Issue 14, item 4: write rights follow duties. Service Leaders and the Head of Service read every record and
write only what their duties need (R5 agreements, T4 intervals, oversight, returns details); the day-to-day
record (contacts, escalation steps, events) is written by a PA on the case or the Team Leader of the young
person's team. Voiding a contact is for whoever recorded it or the allocated PA's Team Leader, with a reason,
and the PA is told. One test per persona and action."""

import datetime as dt

import pytest
import rules
from django.urls import reverse
from django.utils import timezone

from careleavers.models import Cover, EventKind, Notification, Role
from compliance import services as compliance_services
from contacts import services
from contacts.models import EscalationStep, Method, Outcome
from core.errors import NotAllowed, ServiceError
from tests.careleavers.helpers import days_ago, today, young_person
from tests.conftest import login
from tests.factories import ContactFactory, StaffFactory

pytestmark = pytest.mark.django_db

CHECK = {"health_and_safety": "good", "furnishings_and_kitchen": "adequate", "occupancy": "good", "trend": "same"}


@pytest.fixture
def yp(alice):
    return young_person(alice)


@pytest.fixture
def pat(north, yp):
    """Another North PA, covering alice's young person today."""
    pat = StaffFactory(ref="pat", name="Pat Price", role=Role.PA, team=north)
    Cover.objects.create(young_person=yp, pa=pat, start=today() - dt.timedelta(days=3), end=today() + dt.timedelta(days=3))
    return pat


@pytest.fixture
def duty(db):
    return StaffFactory(ref="duty", name="Dee Duty", role=Role.DUTY_ADMIN, team=None)


@pytest.fixture
def people(alice, pat, tess, trent, charlie, sol, hana, duty):
    return {"alice": alice, "pat": pat, "tess": tess, "trent": trent, "charlie": charlie, "sol": sol, "hana": hana,
            "duty": duty}


#: Who writes contacts, escalation steps and events to alice's young person (North).
WRITERS = {"alice", "pat", "tess"}
PERSONAS = ["alice", "pat", "tess", "trent", "charlie", "sol", "hana", "duty"]


def log(yp, actor):
    return services.contact_log(young_person=yp, actor=actor, date=today(), method=Method.HOME_VISIT,
                                outcome=Outcome.COMPLETED, note="Seen at home.", visit_check=CHECK)


def escalate(yp, actor):
    return services.escalation_record(young_person=yp, actor=actor, step=EscalationStep.MISSING_REPORT_CONSIDERED,
                                      date=today(), note="Considered; not missing.")


def record_event(yp, actor):
    return compliance_services.event_record(young_person=yp, actor=actor, kind=EventKind.SIGNIFICANT_CHANGE, date=today(),
                                            notes="Moved flat.")


@pytest.mark.parametrize("who", PERSONAS)
@pytest.mark.parametrize("write", [log, escalate, record_event], ids=["log_contact", "record_escalation", "record_event"])
def test_day_to_day_writes_follow_duties(write, who, yp, people):
    actor = people[who]
    if who in WRITERS:
        assert write(yp, actor).recorded_by == actor
    else:
        with pytest.raises(NotAllowed):
            write(yp, actor)


@pytest.mark.parametrize("who", ["sol", "hana"])
def test_service_wide_managers_are_told_why_they_cannot_write(who, yp, people):
    with pytest.raises(NotAllowed, match="Personal Adviser or their Team Leader"):
        log(yp, people[who])


@pytest.mark.parametrize("who", PERSONAS)
def test_service_wide_managers_read_but_do_not_write_on_the_page(client, who, yp, people):
    login(client, people[who])
    page = client.get(reverse("young_person", args=[yp.pk]))
    if who in ("trent", "charlie", "duty"):  # they do not see alice's young person at all
        assert page.status_code == 404
        return
    assert page.status_code == 200
    body = page.content.decode()
    shown = reverse("contacts:log", args=[yp.pk]) in body
    assert shown == (who in WRITERS)
    assert (reverse("event_new", args=[yp.pk]) in body) == (who in WRITERS)
    assert (reverse("contacts:escalate", args=[yp.pk]) in body) == (who in WRITERS)
    for name in ("contacts:log", "contacts:escalate", "event_new"):
        url = reverse(name, args=[yp.pk])
        expected = 200 if who in WRITERS else 403
        assert client.get(url).status_code == expected, (name, who)
        if who not in WRITERS:
            assert client.post(url, {"date": today().isoformat(), "note": "x"}).status_code == 403
    assert not yp.contacts.exists() and not yp.escalations.exists() and not yp.events.exists()


# --- voiding a contact: its author or the allocated PA's Team Leader, with a reason; the PA is told -----------

@pytest.mark.parametrize(("who", "author", "allowed"), [
    ("alice", "alice", True),   # the allocated PA voids what they recorded
    ("pat", "pat", True),       # the cover PA voids what they recorded
    ("alice", "pat", False),    # the allocated PA does not void the cover PA's contact
    ("pat", "alice", False),    # nor the cover PA the allocated PA's
    ("tess", "alice", True),    # the allocated PA's Team Leader voids any of their team's contacts
    ("tess", None, True),       # including an imported one with no author
    ("alice", None, False),
    ("trent", "alice", False),  # another team's Team Leader
    ("charlie", "alice", False),
    ("sol", "alice", False),    # Service Leaders and the Head of Service read, and do not void
    ("hana", "alice", False),
    ("duty", "alice", False),
])
def test_void_is_for_the_author_or_the_allocated_pas_team_leader(who, author, allowed, yp, people):
    contact = ContactFactory(young_person=yp, date=days_ago(2), recorded_by=people[author] if author else None)
    if allowed:
        services.contact_void(contact=contact, actor=people[who], reason="Wrong young person")
        contact.refresh_from_db()
        assert (contact.voided_by, contact.void_reason) == (people[who], "Wrong young person")
    else:
        with pytest.raises(NotAllowed):
            services.contact_void(contact=contact, actor=people[who], reason="Wrong young person")
        contact.refresh_from_db()
        assert contact.voided_at is None


def test_void_needs_a_reason(yp, tess):
    contact = ContactFactory(young_person=yp, date=days_ago(2))
    with pytest.raises(ServiceError, match="Say why"):
        services.contact_void(contact=contact, actor=tess, reason=" ")


def test_void_by_the_team_leader_tells_the_pa_and_the_author(yp, alice, pat, tess):
    contact = ContactFactory(young_person=yp, date=days_ago(2), recorded_by=pat)
    services.contact_void(contact=contact, actor=tess, reason="Logged against the wrong young person")
    told = Notification.objects.filter(kind="contact_voided")
    assert {n.recipient for n in told} == {alice, pat}
    assert all("Logged against the wrong young person" in n.message and tess.name in n.message for n in told)
    assert all(n.young_person == yp for n in told)


def test_void_by_the_pa_who_recorded_it_tells_no_one_else(yp, alice):
    contact = ContactFactory(young_person=yp, date=days_ago(2), recorded_by=alice)
    services.contact_void(contact=contact, actor=alice, reason="Duplicate")
    assert not Notification.objects.filter(kind="contact_voided").exists()


@pytest.mark.parametrize(("who", "status"), [("alice", 200), ("pat", 403), ("tess", 200), ("sol", 403), ("hana", 403),
                                             ("charlie", 404), ("trent", 404)])
def test_void_page_per_persona(client, who, status, yp, people):
    contact = ContactFactory(young_person=yp, date=days_ago(2), recorded_by=people["alice"])
    login(client, people[who])
    url = reverse("contacts:void", args=[yp.pk, contact.pk])
    assert client.get(url).status_code == status
    response = client.post(url, {"reason": "Wrong young person"})
    assert response.status_code == (302 if status == 200 else status)
    contact.refresh_from_db()
    assert (contact.voided_at is not None) == (status == 200)


@pytest.mark.parametrize(("who", "shown"), [("alice", True), ("pat", False), ("tess", True), ("sol", False)])
def test_the_recorded_in_error_link_is_shown_to_who_may_void(client, who, shown, yp, people):
    contact = ContactFactory(young_person=yp, date=days_ago(2), recorded_by=people["alice"])
    login(client, people[who])
    body = client.get(reverse("young_person", args=[yp.pk])).content.decode()
    assert (reverse("contacts:void", args=[yp.pk, contact.pk]) in body) == shown


# --- what Service Leaders and the Head of Service keep: their duties ------------------------------------------

@pytest.mark.parametrize("who", ["sol", "hana"])
def test_service_wide_managers_keep_the_writes_their_duties_need(who, yp, people):
    user = people[who].user
    assert rules.has_perm("careleavers.view_young_person", user, yp)
    assert rules.has_perm("returns.edit_details", user, yp)
    assert rules.has_perm("contacts.view_oversight_items", user)
    assert rules.has_perm("oversight.view_service_dashboard", user)
    assert not rules.has_perm("contacts.log_contact", user, yp)
    assert not rules.has_perm("careleavers.record_event", user, yp)


def test_service_leader_keeps_agreement_and_intervals(yp, sol):
    assert rules.has_perm("compliance.set_interval_override", sol.user, yp)


def test_team_leader_writes_only_for_their_own_team(yp, tess, trent, charlie):
    other = young_person(charlie)
    assert rules.has_perm("contacts.log_contact", tess.user, yp)
    assert not rules.has_perm("contacts.log_contact", tess.user, other)
    assert rules.has_perm("contacts.log_contact", trent.user, other)


def test_a_cover_ended_pa_no_longer_writes(yp, pat):
    Cover.objects.filter(pa=pat).update(end=timezone.localdate() - dt.timedelta(days=1),
                                        start=timezone.localdate() - dt.timedelta(days=5))
    with pytest.raises(NotAllowed):
        log(yp, pat)
