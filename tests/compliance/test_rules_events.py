"""CONTRACT.md events (T6, T7, P1) and escalation under reduced visits (R6, E3), through bundles and the report."""

import datetime as dt

import pytest

from careleavers.models import Event
from contacts.models import Contact
from tests.compliance.test_rules import codes, contact, expect, load, person

pytestmark = pytest.mark.django_db


def event(kind: str, date: str) -> dict:
    return {"kind": kind, "date": date}


# --- Events pull a due date forward (T6, T7, P1) ------------------------------------------------------------------------


def test_t6_custody_start_makes_a_visit_due_within_28_days():
    load(person(contacts=[contact("2026-01-05")], events=[event("custody_start", "2026-01-10")]))
    expect("visit", last_met="2026-01-05", due="2026-02-07", status="overdue", days_overdue=22)


def test_t7_emergency_placement_makes_a_visit_due_within_7_days():
    load(person(allocated_on="2026-02-01", events=[event("emergency_placement", "2026-02-25")]))
    expect("visit", last_met=None, due="2026-03-04", status="due_soon")


def test_p1_significant_change_makes_a_review_due_within_28_days():
    load(person(pathway_reviews=["2025-12-01"], events=[event("significant_change", "2026-02-10")]))
    expect("pathway_review", last_met="2025-12-01", due="2026-03-10", status="due_soon")
    expect("visit", due="2025-07-27")  # a significant change is about the plan, not the visit


def test_t6_an_event_only_brings_a_date_forward_never_back():
    """The due date is the earlier of the interval date and the event date."""
    load(person(contacts=[contact("2026-01-05")], events=[event("custody_start", "2026-02-20")]))
    expect("visit", due="2026-03-02")  # 2026-03-20 from the event is later


def test_t6_t7_the_earliest_of_several_events_counts():
    load(person(contacts=[contact("2026-02-15")],
                events=[event("custody_start", "2026-02-16"), event("emergency_placement", "2026-02-20")]))
    expect("visit", due="2026-02-27", status="overdue", days_overdue=2)


@pytest.mark.parametrize("method", ["home_visit", "office_visit", "unannounced_visit"])
def test_t6_a_visit_on_the_event_date_cancels_the_pull_forward(method):
    load(person(contacts=[contact("2026-01-05"), contact("2026-01-10", method)], events=[event("custody_start", "2026-01-10")]))
    expect("visit", last_met="2026-01-10", due="2026-03-07")


def test_t6_a_visit_after_the_event_cancels_the_pull_forward():
    load(person(contacts=[contact("2026-01-05"), contact("2026-01-20")], events=[event("custody_start", "2026-01-10")]))
    expect("visit", last_met="2026-01-20", due="2026-03-17")


def test_t6_a_visit_after_the_report_date_does_not_cancel_the_pull_forward():
    load(person(contacts=[contact("2026-01-05"), contact("2026-02-05")], events=[event("custody_start", "2026-01-10")]))
    expect("visit", "2026-02-04", last_met="2026-01-05", due="2026-02-07", status="due_soon")
    expect("visit", "2026-02-05", last_met="2026-02-05", due="2026-04-02", status="ok")


def test_t6_a_visit_the_day_before_the_event_does_not_cancel_it():
    load(person(contacts=[contact("2026-01-09")], events=[event("custody_start", "2026-01-10")]))
    expect("visit", last_met="2026-01-09", due="2026-02-07")


@pytest.mark.parametrize(
    "recorded",
    [contact("2026-01-12", "home_visit", "no_response"), contact("2026-01-12", "phone"),
     contact("2026-01-12", "home_visit", with_="third_party")],
    ids=["attempt", "phone", "third-party"],
)
def test_t6_only_a_contact_that_meets_the_visit_cancels_the_pull_forward(recorded):
    load(person(contacts=[contact("2026-01-05"), recorded], events=[event("custody_start", "2026-01-10")]))
    expect("visit", last_met="2026-01-05", due="2026-02-07")


def test_t2_t6_on_licence_an_office_visit_after_custody_start_does_not_cancel_it():
    load(person(circumstance="on_licence", contacts=[contact("2026-01-05"), contact("2026-01-15", "office_visit")],
                events=[event("custody_start", "2026-01-10")]))
    expect("visit", last_met="2026-01-05", due="2026-02-07")


def test_p1_a_review_on_the_event_date_cancels_the_pull_forward():
    load(person(pathway_reviews=["2026-02-10"], events=[event("significant_change", "2026-02-10")]))
    expect("pathway_review", last_met="2026-02-10", due="2026-08-11")


def test_p1_a_contact_does_not_cancel_a_review_pull_forward():
    load(person(pathway_reviews=["2025-12-01"], contacts=[contact("2026-02-15")],
                events=[event("significant_change", "2026-02-10")]))
    expect("pathway_review", due="2026-03-10")


@pytest.mark.parametrize(
    ("arrangement", "pack"),
    [({"kind": "reduced_visits", "active_from": "2025-10-01"}, "tct2"),
     ({"kind": "step_back", "active_from": "2025-10-01"}, "buckinghamshire"),
     ({"kind": "different_needs", "active_from": "2025-10-01"}, "derbyshire")],
)
@pytest.mark.parametrize("kind", ["custody_start", "emergency_placement"])
def test_t6_t7_an_event_applies_only_where_its_requirement_applies(arrangement, pack, kind):
    load(person(arrangement=arrangement, events=[event(kind, "2026-02-20")]), pack=pack)
    assert "visit" not in codes()


def test_t5_an_event_applies_only_where_its_requirement_applies_higher_education():
    load(person(circumstance="higher_education", date_of_birth="2004-06-01", extended_support=True,
                contacts=[contact("2026-02-01", "phone")],
                events=[event("custody_start", "2026-02-10"), event("emergency_placement", "2026-02-11")]),
         pack="tower_hamlets")
    assert codes() == {"contact", "pathway_review"}
    expect("contact", due="2026-03-15")


@pytest.mark.parametrize("arrangement", [{"kind": "step_back", "active_from": "2025-10-01"},
                                         {"kind": "different_needs", "active_from": "2025-10-01"}])
def test_p1_significant_change_applies_under_every_arrangement(arrangement):
    load(person(arrangement=arrangement, pathway_reviews=["2025-12-01"], events=[event("significant_change", "2026-02-10")]))
    expect("pathway_review", due="2026-03-10")


def test_t6_tower_hamlets_custody_start_28_days_then_visits_every_42():
    load(person(circumstance="custody", contacts=[contact("2026-01-05")], events=[event("custody_start", "2026-01-06")]),
         pack="tower_hamlets")
    expect("visit", due="2026-02-03")
    load(person(circumstance="custody", contacts=[contact("2026-01-05"), contact("2026-01-30")],
                events=[event("custody_start", "2026-01-06")]), pack="tower_hamlets")
    expect("visit", due="2026-03-13")


def test_t6_a_voided_event_is_ignored():
    load(person(contacts=[contact("2026-01-05")], events=[event("custody_start", "2026-01-10")]))
    expect("visit", due="2026-02-07")
    recorded = Event.objects.get()
    recorded.voided_at = dt.datetime(2026, 1, 11, tzinfo=dt.UTC)
    recorded.save()
    expect("visit", due="2026-03-02")


def test_t6_an_event_before_an_arrangement_ended_applies_to_the_standard_visit_after():
    """An event applies where its requirement applies on the report date: once a step back has ended the
    visit applies again, and an unmet custody start still pulls it forward, counted from the day the standard
    pattern resumed (V3, CONTRACT v2 change 1: an event before active_from counts from it)."""
    from approvals.models import Arrangement, ArrangementState

    load(person(arrangement={"kind": "step_back", "active_from": "2025-10-01"}, contacts=[contact("2026-01-05")],
                events=[event("custody_start", "2026-01-20")]))
    arrangement = Arrangement.objects.get()
    arrangement.state, arrangement.ended_on = ArrangementState.ENDED, dt.date(2026, 2, 1)
    arrangement.save()
    assert "visit" not in codes("2026-01-31")
    expect("visit", "2026-02-01", due="2026-03-01")


# --- Reduced visits: R6 contact, E3 escalation -------------------------------------------------------------------------

REDUCED = {"kind": "reduced_visits", "active_from": "2025-10-01"}


def unanswered(*dates: str, method: str = "phone", outcome: str = "no_response") -> list[dict]:
    return [contact(d, method, outcome) for d in dates]


def test_e3_three_consecutive_unanswered_contacts_make_a_visit_due_on_the_third():
    load(person(arrangement=REDUCED, contacts=[contact("2025-12-01", "phone"),
                                               *unanswered("2026-01-10", "2026-01-24", "2026-02-07")]), pack="tct2")
    expect("visit", last_met=None, due="2026-02-07", status="overdue", days_overdue=22)
    expect("contact", last_met="2025-12-01", due="2026-01-26", status="overdue")


def test_e3_visit_row_appears_on_the_date_of_the_third_attempt():
    load(person(arrangement=REDUCED, contacts=unanswered("2026-01-10", "2026-01-24", "2026-02-07")), pack="tct2")
    assert "visit" not in codes("2026-02-06")
    expect("visit", "2026-02-07", due="2026-02-07", status="due_soon", days_overdue=0)


def test_e3_two_unanswered_contacts_are_not_enough():
    load(person(arrangement=REDUCED, contacts=unanswered("2026-01-10", "2026-01-24")), pack="tct2")
    assert codes() == {"contact", "pathway_review"}


def test_e3_later_attempts_do_not_move_the_date_of_the_third():
    load(person(arrangement=REDUCED, contacts=unanswered("2026-01-10", "2026-01-24", "2026-02-07", "2026-02-20")),
         pack="tct2")
    expect("visit", due="2026-02-07")


@pytest.mark.parametrize("outcome", ["no_response", "cancelled_by_yp"])
def test_e3_no_response_and_cancelled_by_yp_are_unanswered(outcome):
    load(person(arrangement=REDUCED, contacts=unanswered("2026-01-10", "2026-01-24", "2026-02-07", outcome=outcome)),
         pack="tct2")
    expect("visit", due="2026-02-07")


def test_e3_a_pa_cancellation_inside_a_streak_neither_counts_nor_answers():
    load(person(arrangement=REDUCED, contacts=[*unanswered("2026-01-10", "2026-01-24"),
                                               *unanswered("2026-01-30", outcome="cancelled_by_pa")]), pack="tct2")
    assert "visit" not in codes()
    load(person(arrangement=REDUCED, contacts=[*unanswered("2026-01-10", "2026-01-24"),
                                               *unanswered("2026-01-30", outcome="cancelled_by_pa"),
                                               *unanswered("2026-02-07")]), pack="tct2")
    expect("visit", due="2026-02-07")


def test_e3_a_decline_answers():
    load(person(arrangement=REDUCED, contacts=[*unanswered("2026-01-10", "2026-01-24"),
                                               *unanswered("2026-01-30", outcome="declined"),
                                               *unanswered("2026-02-07")]), pack="tct2")
    assert "visit" not in codes()


def test_e3_three_unanswered_and_an_answer_on_one_day():
    """Within a day the unanswered contacts come before the answers: the streak reaches three, then the
    answer cannot clear the escalated visit (only a visit does)."""
    load(person(arrangement=REDUCED, contacts=[*unanswered("2026-01-10", "2026-01-24"),
                                               contact("2026-02-07", "phone"), *unanswered("2026-02-07")]), pack="tct2")
    expect("visit", due="2026-02-07")


def test_e3_a_completed_contact_breaks_the_streak():
    load(person(arrangement=REDUCED, contacts=[*unanswered("2026-01-10", "2026-01-24"), contact("2026-01-30", "text"),
                                               *unanswered("2026-02-07", "2026-02-14")]), pack="tct2")
    assert "visit" not in codes()
    load(person(arrangement=REDUCED, contacts=[*unanswered("2026-01-10", "2026-01-24"), contact("2026-01-30", "text"),
                                               *unanswered("2026-02-07", "2026-02-14", "2026-02-21")]), pack="tct2")
    expect("visit", due="2026-02-21")


def test_e3_a_completed_phone_call_after_the_third_attempt_does_not_clear_the_visit():
    """CONTRACT v2, change 2: once due, the escalated visit stays due until a visit is made."""
    load(person(arrangement=REDUCED, contacts=[*unanswered("2026-01-10", "2026-01-24", "2026-02-07"),
                                               contact("2026-02-20", "phone")]), pack="tct2")
    expect("visit", "2026-02-20", due="2026-02-07", status="overdue")


def test_e3_a_visit_after_the_third_attempt_clears_it_and_the_count_starts_again():
    load(person(arrangement=REDUCED, contacts=[*unanswered("2026-01-10", "2026-01-24", "2026-02-07"),
                                               contact("2026-02-20"), *unanswered("2026-02-21", "2026-02-22")]),
         pack="tct2")
    assert "visit" in codes("2026-02-19")
    assert "visit" not in codes("2026-02-20")
    assert "visit" not in codes("2026-02-22")


def test_e3_an_attempt_on_the_same_date_as_the_last_completed_contact_is_not_in_the_streak():
    """Interpretation choice: the streak is the not-completed contacts strictly after the last completed one."""
    load(person(arrangement=REDUCED, contacts=[contact("2026-01-10", "phone", "no_response"), contact("2026-01-10", "text"),
                                               *unanswered("2026-01-24", "2026-02-07")]), pack="tct2")
    assert "visit" not in codes()


def test_e3_a_visit_ends_the_escalation():
    load(person(arrangement=REDUCED, contacts=[*unanswered("2026-01-10", "2026-01-24", "2026-02-07"),
                                               contact("2026-02-15", "home_visit")]), pack="tct2")
    assert "visit" in codes("2026-02-14")
    assert "visit" not in codes("2026-02-15")
    expect("contact", last_met="2026-02-15", due="2026-04-12")


def test_e3_contacts_with_third_parties_do_not_count_in_the_streak():
    load(person(arrangement=REDUCED, contacts=[*unanswered("2026-01-10", "2026-01-24"),
                                               contact("2026-02-01", "phone", "no_response", with_="third_party"),
                                               contact("2026-02-02", "phone", "no_response", with_="family"),
                                               contact("2026-02-03", "phone", "no_response", with_="lead_social_worker")]),
         pack="tct2")
    assert "visit" not in codes()


def test_e3_a_completed_contact_with_a_third_party_does_not_break_the_streak():
    load(person(arrangement=REDUCED, contacts=[*unanswered("2026-01-10", "2026-01-24"),
                                               contact("2026-01-30", "phone", with_="third_party"),
                                               *unanswered("2026-02-07")]), pack="tct2")
    expect("visit", due="2026-02-07")


def test_e3_no_event_moves_the_escalated_visit():
    load(person(arrangement=REDUCED, contacts=unanswered("2026-01-10", "2026-01-24", "2026-02-07"),
                events=[event("emergency_placement", "2026-01-01"), event("custody_start", "2026-02-08")]), pack="tct2")
    expect("visit", due="2026-02-07")


def test_e3_visit_last_met_is_the_last_visit_ever():
    load(person(arrangement=REDUCED, contacts=[contact("2025-09-20", "office_visit"), contact("2025-12-01", "phone"),
                                               *unanswered("2026-01-10", "2026-01-24", "2026-02-07")]), pack="tct2")
    expect("visit", last_met="2025-09-20", due="2026-02-07")


def test_e3_attempts_after_the_report_date_are_ignored():
    load(person(arrangement=REDUCED, contacts=unanswered("2026-01-10", "2026-01-24", "2026-03-05")), pack="tct2")
    assert "visit" not in codes("2026-03-04")
    expect("visit", "2026-03-05", due="2026-03-05")


def test_e3_a_voided_attempt_is_not_counted():
    load(person(arrangement=REDUCED, contacts=unanswered("2026-01-10", "2026-01-24", "2026-02-07")), pack="tct2")
    attempt = Contact.objects.get(date=dt.date(2026, 1, 24))
    attempt.voided_at = dt.datetime(2026, 1, 25, tzinfo=dt.UTC)
    attempt.save()
    assert "visit" not in codes()


def test_e3_several_attempts_on_one_day_each_count():
    """Three recorded attempts are three contacts, even on the same date (e.g. a call, a text and a letter)."""
    load(person(arrangement=REDUCED, contacts=[contact("2026-02-07", "phone", "no_response"),
                                               contact("2026-02-07", "text", "no_response"),
                                               contact("2026-02-07", "letter", "no_response")]), pack="tct2")
    expect("visit", due="2026-02-07")


def test_e3_only_under_reduced_visits():
    load(person(contacts=[contact("2026-02-01"), *unanswered("2026-02-10", "2026-02-11", "2026-02-12")]), pack="tct2")
    expect("visit", last_met="2026-02-01", due="2026-03-29")
    load(person(arrangement={"kind": "step_back", "active_from": "2025-10-01"},
                contacts=[contact("2026-02-01"), *unanswered("2026-02-10", "2026-02-11", "2026-02-12")]), pack="tct2")
    assert "visit" not in codes()


def test_t2_e3_on_licence_only_a_home_visit_is_shown_as_the_last_visit():
    load(person(circumstance="on_licence", arrangement=REDUCED,
                contacts=[contact("2025-09-01"), contact("2025-11-01", "office_visit"),
                          *unanswered("2026-01-10", "2026-01-24", "2026-02-07")]), pack="tct2")
    expect("visit", last_met="2025-09-01", due="2026-02-07")


def test_r6_unanswered_contacts_do_not_meet_the_contact_requirement():
    load(person(arrangement=REDUCED, contacts=[contact("2025-11-01", "card"), *unanswered("2026-01-10")]), pack="tct2")
    expect("contact", last_met="2025-11-01", due="2025-12-27", status="overdue")
