"""Alerts of the nightly run, by rule: each raised once (unique key) and sent once (CAS claim)."""

import datetime as dt

import pytest
from django.core import mail

from approvals.models import Decision
from careleavers.models import CaseNote, CaseNoteKind, Notification, PlannedAbsence
from compliance.engine import recompute
from core.models import AuditEvent, AuditKind
from oversight.models import Alert, AlertKind, AlertOutcome
from oversight.services import alert_candidates, alerts_raise, alerts_send, nightly_run
from pathway.models import PathwayPlan, PlanState
from tests.factories import ArrangementFactory, ContactFactory, YoungPersonFactory

from .conftest import AS_OF, at_noon

pytestmark = pytest.mark.django_db


def run_on(day):
    with at_noon(day):
        return nightly_run()


def notes(staff, kind):
    return list(Notification.objects.filter(recipient=staff, kind=f"oversight.{kind}").order_by("pk"))


def test_v2_visit_due_soon_alert_goes_to_the_pa_and_their_team_leader_once(service, alice, tess, trent):
    run_on(AS_OF)
    alert = Alert.objects.get(young_person=service.a2, requirement="visit", kind=AlertKind.DUE_SOON)
    assert (alert.rule, alert.due, alert.outcome, alert.recipients) == ("V2", dt.date(2026, 3, 7), AlertOutcome.SENT, 2)
    sent = notes(alice, "due_soon")
    assert any("Ann Two" in n.message and "7 Mar 2026" in n.message for n in sent)
    # V2 (issue 10): "notify your Team Leader if a visit will go overdue", not only the PA.
    told = notes(tess, "due_soon")
    assert [n.young_person_id for n in told if "Visit" in n.message] == [service.a2.pk]
    assert not [n for n in notes(trent, "due_soon") if n.young_person_id == service.a2.pk]
    run_on(AS_OF + dt.timedelta(days=1))  # still due soon the next night: not sent again
    assert notes(alice, "due_soon") == sent
    assert notes(tess, "due_soon") == told
    assert Alert.objects.filter(young_person=service.a2, requirement="visit", kind=AlertKind.DUE_SOON).count() == 1


def test_p2_review_due_soon_from_28_days_is_its_own_rule(service):
    run_on(AS_OF)
    alert = Alert.objects.get(young_person=service.a2, requirement="pathway_review", kind=AlertKind.DUE_SOON)
    assert (alert.rule, alert.due) == ("P2", dt.date(2026, 3, 21))  # 28-day window: due soon on 1 Mar


def test_p2_plan_due_with_team_leader_14_days_before_review(service, charlie, trent, alice):
    run_on(AS_OF)
    # C1's review is due 2 Mar: inside 14 days, no plan submitted.
    alert = Alert.objects.get(young_person=service.c1, kind=AlertKind.PLAN_TO_TEAM_LEADER)
    assert (alert.rule, alert.due) == ("P2", dt.date(2026, 3, 2))
    assert [n.young_person_id for n in notes(charlie, "plan_to_team_leader")] == [service.c1.pk]
    assert [n.young_person_id for n in notes(trent, "plan_to_team_leader")] == [service.c1.pk]
    # A2's review is due 21 Mar, 20 days away: not yet.
    assert not Alert.objects.filter(young_person=service.a2, kind=AlertKind.PLAN_TO_TEAM_LEADER).exists()
    run_on(dt.date(2026, 3, 7))  # 14 days before 21 Mar
    assert Alert.objects.filter(young_person=service.a2, kind=AlertKind.PLAN_TO_TEAM_LEADER).exists()
    assert len(notes(charlie, "plan_to_team_leader")) == 1  # C1's was sent once


def test_p2_no_plan_alert_once_the_plan_is_with_the_team_leader(service):
    PathwayPlan.objects.create(young_person=service.c1, version=2, state=PlanState.SUBMITTED)
    run_on(AS_OF)
    assert not Alert.objects.filter(young_person=service.c1, kind=AlertKind.PLAN_TO_TEAM_LEADER).exists()


def test_v4_overdue_alert_goes_to_the_pa_and_their_team_leader(service, alice, tess, trent,
                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run_on(AS_OF)
    alert = Alert.objects.get(young_person=service.a3, requirement="visit", kind=AlertKind.OVERDUE)
    assert (alert.rule, alert.due, alert.recipients) == ("V4", dt.date(2025, 7, 27), 2)
    assert {n.young_person_id for n in notes(alice, "overdue")} == {service.a3.pk}
    assert {n.young_person_id for n in notes(tess, "overdue")} == {service.a3.pk, service.b1.pk}
    assert {n.young_person_id for n in notes(trent, "overdue")} == {service.c1.pk}
    assert any("alice@example.gov.uk" in m.to for m in mail.outbox)


def test_v4_overdue_alert_is_sent_once_over_many_nights(service, tess):
    for n in range(3):
        run_on(AS_OF + dt.timedelta(days=n))
    assert Alert.objects.filter(young_person=service.a3, requirement="visit", kind=AlertKind.OVERDUE).count() == 1
    a3_visit = [n for n in notes(tess, "overdue") if n.young_person_id == service.a3.pk and "Visit" in n.message]
    assert len(a3_visit) == 1


def test_v5_due_date_inside_the_pas_planned_absence_is_flagged(service, alice, tess):
    PlannedAbsence.objects.create(staff=alice, start=dt.date(2026, 3, 5), end=dt.date(2026, 3, 10), reason="annual_leave")
    run_on(AS_OF)
    alert = Alert.objects.get(kind=AlertKind.ABSENCE_CLASH)
    assert (alert.young_person, alert.requirement, alert.due, alert.rule) == (service.a2, "visit", dt.date(2026, 3, 7), "V5")
    assert "bring it forward" in notes(alice, "absence_clash")[0].message
    assert len(notes(tess, "absence_clash")) == 1


def test_v5_absence_of_another_pa_does_not_flag(service, charlie):
    PlannedAbsence.objects.create(staff=charlie, start=dt.date(2026, 3, 5), end=dt.date(2026, 3, 10), reason="training")
    run_on(AS_OF)
    assert not Alert.objects.filter(kind=AlertKind.ABSENCE_CLASH).exists()


def test_e3_escalation_becoming_due_is_alerted(alice, tess):
    yp = YoungPersonFactory(pa=alice, name="Eve Silent")
    ArrangementFactory(young_person=yp)  # reduced visits from 1 Sep 2025
    ContactFactory(young_person=yp, date=dt.date(2026, 1, 20), method="phone")
    for day in (dt.date(2026, 2, 10), dt.date(2026, 2, 20), dt.date(2026, 3, 1)):
        ContactFactory(young_person=yp, date=day, method="phone", outcome="no_response")
    run_on(dt.date(2026, 2, 28))  # two unanswered: nothing yet
    assert not Alert.objects.filter(kind=AlertKind.ESCALATION_DUE).exists()
    run_on(AS_OF)
    alert = Alert.objects.get(kind=AlertKind.ESCALATION_DUE)
    assert (alert.young_person, alert.requirement, alert.due, alert.rule) == (yp, "visit", AS_OF, "E3")
    assert "3 contacts" in notes(alice, "escalation_due")[0].message
    assert len(notes(tess, "escalation_due")) == 1
    run_on(AS_OF + dt.timedelta(days=1))
    assert Alert.objects.filter(kind=AlertKind.ESCALATION_DUE).count() == 1
    assert len(notes(alice, "escalation_due")) == 1


def test_alert_whose_requirement_moved_on_before_sending_is_not_sent(service, alice):
    with at_noon(AS_OF):
        alerts_raise(run=None, night=AS_OF)
        ContactFactory(young_person=service.a3, date=AS_OF)  # visited before the alerts went out
        recompute(AS_OF)
        alerts_send(today=AS_OF)
    alert = Alert.objects.get(young_person=service.a3, requirement="visit", kind=AlertKind.OVERDUE)
    assert alert.outcome == AlertOutcome.SUPERSEDED and alert.sent_at is not None
    assert not [n for n in notes(alice, "overdue") if "Visit for Abe Three" in n.message]


def test_alert_claimed_by_another_sender_is_not_sent_twice(service, alice):
    with at_noon(AS_OF):
        alerts_raise(run=None, night=AS_OF)
        first = alerts_send(today=AS_OF)
        second = alerts_send(today=AS_OF)
    assert first > 0 and second == 0
    assert Notification.objects.filter(kind__startswith="oversight.").count() == sum(
        Alert.objects.filter(outcome=AlertOutcome.SENT).values_list("recipients", flat=True)
    )


def test_e3_the_escalated_visit_due_puts_the_reduced_visits_arrangement_up_for_review(alice, tess, trent):
    """E3: the Team Leader is told, and the reduced-visits arrangement is put up for review (the young
    person agreed to respond: R2)."""
    yp = YoungPersonFactory(pa=alice, name="Eve Silent")
    arrangement = ArrangementFactory(young_person=yp)  # reduced visits from 1 Sep 2025
    for day in (dt.date(2026, 2, 10), dt.date(2026, 2, 20), dt.date(2026, 3, 1)):
        ContactFactory(young_person=yp, date=day, method="phone", outcome="no_response")
    run_on(dt.date(2026, 2, 28))
    arrangement.refresh_from_db()
    assert arrangement.review_requested_on is None
    run_on(AS_OF)
    arrangement.refresh_from_db()
    assert arrangement.review_requested_on == AS_OF
    assert "has not responded to 3 contacts" in arrangement.review_reason  # E3
    assert "agreed to respond" in arrangement.review_reason and "R2" not in arrangement.review_reason  # R2
    decision = arrangement.decisions.get(decision=Decision.REVIEW_REQUESTED)
    assert decision.actor is None  # the nightly run, not a person
    assert Notification.objects.filter(recipient=tess, kind="arrangement_review", young_person=yp).count() == 1
    assert len(notes(tess, "escalation_due")) == 1
    assert not Notification.objects.filter(recipient=trent).exists()
    # Issue 16: done in bulk for every arrangement at once, with what the one-at-a-time service kept: the
    # version in the arrangement's history, the case note and both audit events.
    assert arrangement.history.filter(review_requested_on=AS_OF).count() == 1
    note = CaseNote.objects.get(young_person=yp, kind=CaseNoteKind.ARRANGEMENT)
    assert note.subject == "Reduced visits: put up for review" and note.author is None
    assert "has not responded to 3 contacts in a row" in note.text
    assert AuditEvent.objects.filter(kind=AuditKind.ARRANGEMENT_REVIEW_REQUESTED, object_id=str(arrangement.pk),
                                     young_person=yp).count() == 1
    assert AuditEvent.objects.filter(kind=AuditKind.CASE_NOTE_ADDED, object_id=str(note.pk)).count() == 1
    run_on(AS_OF + dt.timedelta(days=1))  # still due the next night: not put up for review again
    arrangement.refresh_from_db()
    assert arrangement.decisions.filter(decision=Decision.REVIEW_REQUESTED).count() == 1


def test_e3_no_review_without_an_active_reduced_visits_arrangement(alice):
    yp = YoungPersonFactory(pa=alice)
    ended = ArrangementFactory(young_person=yp, state="ended", ended_on=dt.date(2025, 12, 1))
    for day in (dt.date(2026, 2, 10), dt.date(2026, 2, 20), dt.date(2026, 3, 1)):
        ContactFactory(young_person=yp, date=day, method="phone", outcome="no_response")
    run_on(AS_OF)
    ended.refresh_from_db()
    assert ended.review_requested_on is None


# --- issue 16: one digest e-mail per member of staff per night ---


def test_the_night_sends_one_digest_email_per_member_of_staff(service, alice, bella, tess,
                                                             django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run_on(AS_OF)
    sent_to = [address for message in mail.outbox for address in message.to]
    assert len(sent_to) == len(set(sent_to))  # one e-mail each, however many alerts
    alices = [m for m in mail.outbox if "alice@example.gov.uk" in m.to]
    assert len(alices) == 1
    alice_notes = Notification.objects.filter(recipient=alice, kind__startswith="oversight.")
    assert alice_notes.count() > 1  # several alerts in one digest
    assert f"{alice_notes.count()} alerts" in alices[0].subject
    assert all(n.message in alices[0].body for n in alice_notes)
    # the next night: only what is new that night, again one e-mail at most each
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run_on(AS_OF + dt.timedelta(days=1))
    sent_to = [address for message in mail.outbox for address in message.to]
    assert len(sent_to) == len(set(sent_to))


def test_sending_is_set_based_whatever_the_number_of_alerts(service, django_assert_max_num_queries):
    with at_noon(AS_OF):
        alerts_raise(run=None, night=AS_OF)
        assert Alert.objects.filter(sent_at__isnull=True).count() > 5
        # savepoint pair / claim / requirement rows / Team Leaders / pack / one update per outcome / bulk insert
        with django_assert_max_num_queries(11):
            alerts_send(today=AS_OF)
    assert not Alert.objects.filter(sent_at__isnull=True).exists()


# --- issue 16, item 3: raised set-based, nothing written twice ---


def test_raising_again_inserts_nothing_and_rewrites_no_row(service):
    """The INSERT ... SELECT leaves out what the unique key already holds: a second raise on the same night
    (or an ordinary night with nothing new) adds no row and touches none of those there."""
    with at_noon(AS_OF):
        first = alerts_raise(run=None, night=AS_OF)
        rows = sorted(Alert.objects.values_list("pk", "young_person_id", "requirement", "kind", "due", "rule",
                                                "raised_on", "created_at"))
        assert first == len(rows) > 5
        assert alerts_raise(run=None, night=AS_OF) == 0
    assert sorted(Alert.objects.values_list("pk", "young_person_id", "requirement", "kind", "due", "rule",
                                            "raised_on", "created_at")) == rows


def test_raised_alerts_carry_their_rule_night_and_run(service):
    result = run_on(AS_OF)
    alerts = Alert.objects.all()
    assert result.alerts_raised == alerts.count() == alerts.filter(run__night=AS_OF, raised_on=AS_OF).count()
    assert set(alerts.filter(kind=AlertKind.DUE_SOON, requirement="pathway_review").values_list("rule", flat=True)) == {"P2"}
    assert set(alerts.filter(kind=AlertKind.DUE_SOON, requirement="visit").values_list("rule", flat=True)) == {"V2"}
    assert set(alerts.filter(kind=AlertKind.OVERDUE).values_list("rule", flat=True)) == {"V4"}
    assert not alerts.exclude(outcome=AlertOutcome.SENT).filter(sent_at__isnull=True).exists()


def test_the_run_reports_how_long_each_step_took(service):
    result = run_on(AS_OF)
    assert list(result.phases) == ["missed_nights", "recompute", "snapshot", "alerts_raise", "escalation_reviews",
                                   "plans_unshared", "commit", "alerts_send"]
    assert all(seconds >= 0 for seconds in result.phases.values())
    assert result.as_dict()["phases"] == result.phases


def test_alerts_are_raised_kind_by_kind_in_each_kinds_candidates_order(service):
    """Issue 16: one INSERT ... SELECT for the five kinds (V2/P2, P2, V4, V5, E3) writes the rows in the order the
    five statements before it did: the kinds in ALERT_RULES' order, each kind's rows in its candidates' order (the
    ids, and so the notifications and the digests' lines, follow it)."""
    with at_noon(AS_OF):
        assert alerts_raise(run=None, night=AS_OF) > 0
        expected = [(kind, *row) for kind, candidates in alert_candidates(night=AS_OF).items() for row in candidates]
    rows = list(Alert.objects.order_by("pk").values_list("kind", "young_person_id", "requirement", "due"))
    assert len({kind for kind, *_ in rows}) >= 3  # several kinds, so their order is tested
    assert rows == expected
