"""Issue 16: alerts_send and digests_send each have a way in the database (PostgreSQL: one statement) and a way
through Python (elsewhere). On PostgreSQL both are run on the same alerts and must write the same rows: every
alert's outcome, number of recipients and time, and every notification (recipient, young person, kind, message,
link, time) in the same order; and the digests made from them must be the same e-mails."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection, transaction

from careleavers.models import Notification, PlannedAbsence, Role
from compliance.engine import recompute
from compliance.models import Requirement
from oversight import services
from oversight.models import Alert, AlertKind, AlertOutcome
from tests.factories import ArrangementFactory, ContactFactory, StaffFactory, TeamFactory, YoungPersonFactory
from tests.services import require

from .conftest import AS_OF, at_noon

pytestmark = pytest.mark.django_db


class _Undo(Exception):
    pass


@pytest.fixture
def every_case(service, alice, north, tess):
    """Beside the hand-counted service: every kind of alert (V2, P2, V4, V5, E3), an unallocated referral (issue 11,
    item 1: the referring team's Team Leaders, two of them, by name), a referral to a team without a Team Leader (no
    recipient) and an alert whose requirement moved on before sending (superseded)."""
    StaffFactory(ref="abel", name="Abel Archer", role=Role.TEAM_LEADER, team=north)  # before Tess by name
    PlannedAbsence.objects.create(staff=alice, start=dt.date(2026, 3, 5), end=dt.date(2026, 3, 10), reason="annual_leave")
    silent = YoungPersonFactory(pa=alice, name="Eve O'Silent")
    ArrangementFactory(young_person=silent)
    ContactFactory(young_person=silent, date=dt.date(2026, 1, 20), method="phone")
    for day in (dt.date(2026, 2, 10), dt.date(2026, 2, 20), dt.date(2026, 3, 1)):
        ContactFactory(young_person=silent, date=day, method="phone", outcome="no_response")
    for team in (north, TeamFactory(ref="east", name="East Team")):
        YoungPersonFactory(pa=None, allocated_on=None, referred_on=AS_OF - dt.timedelta(days=10), referring_team=team,
                           date_of_birth=dt.date(2008, 6, 1))
    recompute(AS_OF)
    with at_noon(AS_OF):
        services.alerts_raise(run=None, night=AS_OF)
        Requirement.objects.filter(young_person=service.a3, code="visit").update(due=AS_OF)  # moved on since raised
    return service


def _send(monkeypatch, django_capture_on_commit_callbacks, *, in_database: bool) -> dict:
    """alerts_send one way, then its digests, all undone: what it wrote, the notifications' ids counted from the
    first new one's."""
    monkeypatch.setattr(services, "_in_database", lambda: in_database)
    mail.outbox = []
    try:
        with at_noon(AS_OF), transaction.atomic():
            first = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            with django_capture_on_commit_callbacks() as callbacks:
                sent = services.alerts_send()
            alerts = list(Alert.objects.order_by("pk").values_list("pk", "outcome", "recipients", "sent_at"))
            new = list(Notification.objects.filter(pk__gt=first).order_by("pk").values_list(
                "pk", "recipient_id", "young_person_id", "kind", "message", "url", "created_at", "read_at"))
            notes = [(pk - new[0][0], *rest) for pk, *rest in new]
            for callback in callbacks:
                callback()
            raise _Undo
    except _Undo:
        pass
    emails = [(m.subject, m.to, m.from_email, m.body) for m in mail.outbox]
    return {"sent": sent, "alerts": alerts, "notifications": notes, "emails": emails}


def test_alerts_send_writes_the_same_rows_in_the_database_and_through_python(every_case, monkeypatch,
                                                                             django_capture_on_commit_callbacks):
    require(connection.vendor == "postgresql", "PostgreSQL")
    in_python = _send(monkeypatch, django_capture_on_commit_callbacks, in_database=False)
    in_database = _send(monkeypatch, django_capture_on_commit_callbacks, in_database=True)
    # What is compared covers every case: each kind sent, each outcome, an alert told to two Team Leaders.
    kinds = {kind for _, _, _, kind, *_ in in_python["notifications"]}
    assert kinds == {f"oversight.{kind}" for kind in AlertKind.values}
    assert {outcome for _, outcome, _, _ in in_python["alerts"]} == {
        AlertOutcome.SENT, AlertOutcome.SUPERSEDED, AlertOutcome.NO_RECIPIENT}
    assert max(n for _, _, n, _ in in_python["alerts"]) == 3  # the PA and both of the North team's leaders
    assert in_python["emails"]
    assert in_database == in_python


def test_the_alert_messages_read_as_before(every_case, monkeypatch, django_capture_on_commit_callbacks):
    """The texts of both ways against the words each rule's alert has always had (V2, P2, V4, V5, E3)."""
    for in_database in {False, connection.vendor == "postgresql"}:
        messages = {m for _, _, _, _, m, *_ in _send(monkeypatch, django_capture_on_commit_callbacks,
                                                       in_database=in_database)["notifications"]}
        a2, b1, c1 = every_case.a2.ref, every_case.b1.ref, every_case.c1.ref
        assert {
            f"Visit for Ann Two ({a2}) is due on 7 Mar 2026.",  # V2
            f"Pathway plan review for Ann Two ({a2}) is due on 21 Mar 2026.",  # P2
            f"Pathway plan for Cat One ({c1}) should be with the Team Leader by 16 Feb 2026: review due 2 Mar 2026.",  # P2
            f"Visit for Ben One ({b1}) was due on 26 Jan 2026 and is overdue. Please record an update on the overdue item.",
        } <= messages
        assert any("during the Personal Adviser's planned absence: bring it forward." in m for m in messages)  # V5
        assert any(m.startswith("Eve O'Silent (") and "has not responded to 3 contacts in a row: a visit was due on "
                   "1 Mar 2026." in m for m in messages)  # E3
