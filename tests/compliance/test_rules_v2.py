"""CONTRACT.md version 2 at each rule's boundary (issue 10): T5 from the 21st birthday, reg 8(2)(a),
qualifying young people (no pathway_review; T9 without a PA service), D4 for the full service only, reg 7.
V3 and E3 boundaries are in test_rules.py and test_rules_events.py beside the rules they change."""

import pytest

from interface.bundle import BundleError, import_bundle
from tests.compliance.test_rules import bundle, codes, contact, expect, in_report, load, person

pytestmark = pytest.mark.django_db


def event(kind: str, date: str) -> dict:
    return {"kind": kind, "date": date}


# --- T5: the higher-education pattern starts on the 21st birthday ------------------------------------------------------

STUDENT = {"circumstance": "higher_education", "date_of_birth": "2005-02-15", "extended_support": True,
           "contacts": [contact("2026-01-20", "phone")]}  # 21 on 2026-02-15


def test_t5_the_day_before_the_21st_birthday_a_student_is_standard():
    load(person(**STUDENT), pack="tower_hamlets")
    assert codes("2026-02-14") == {"visit", "pathway_review"}


def test_t5_on_the_21st_birthday_the_higher_education_pattern_starts():
    load(person(**STUDENT), pack="tower_hamlets")
    assert codes("2026-02-15") == {"contact", "pathway_review"}
    expect("contact", "2026-02-15", last_met="2026-01-20", due="2026-03-03")


def test_t5_the_day_after_the_21st_birthday_still_higher_education():
    load(person(**STUDENT), pack="tower_hamlets")
    assert codes("2026-02-16") == {"contact", "pathway_review"}


# --- reg 8(2)(a): a visit within 7 days of the council first providing accommodation -----------------------------------

def test_reg_8_2_a_accommodation_provided_brings_a_visit_within_7_days():
    load(person(contacts=[contact("2026-01-05")], events=[event("accommodation_provided", "2026-02-20")]))
    expect("visit", last_met="2026-01-05", due="2026-02-27", status="overdue")


def test_reg_8_2_a_a_visit_on_the_day_accommodation_is_provided_meets_it():
    load(person(contacts=[contact("2026-02-20")], events=[event("accommodation_provided", "2026-02-20")]))
    expect("visit", last_met="2026-02-20", due="2026-04-17", status="ok")


# --- Qualifying (section 24): no pathway plan duty; T9 without a PA service -------------------------------------------

def test_qualifying_with_a_pa_service_has_visits_but_no_pathway_review():
    load(person(legal_status="qualifying", contacts=[contact("2026-01-05")]))
    assert codes() == {"visit"}


def test_t9_qualifying_without_a_pa_service_is_not_in_the_report():
    load(person(legal_status="qualifying", pa_service=False, contacts=[contact("2026-01-05")]))
    assert not in_report("2026-03-01")


def test_t9_pa_service_is_read_only_for_qualifying():
    load(person(pa_service=False, contacts=[contact("2026-01-05")]))
    assert codes() == {"visit", "pathway_review"}


# --- D4: to 21 years and 1 month for the full service only -------------------------------------------------------------

DN = {"arrangement": {"kind": "different_needs", "active_from": "2025-10-01"}, "date_of_birth": "2005-02-19"}  # 21y10d


def test_d4_derbyshire_different_needs_former_relevant_at_21_years_and_10_days_is_in_service():
    load(person(**DN), pack="derbyshire")
    assert in_report("2026-03-01")


def test_d4_derbyshire_different_needs_qualifying_at_21_years_and_10_days_is_not():
    load(person(legal_status="qualifying", **DN), pack="derbyshire")
    assert not in_report("2026-03-01")


# --- reg 7: no pathway_review override above 182 days ------------------------------------------------------------------

def test_reg_7_a_pathway_review_override_of_183_days_is_refused_with_its_path():
    with pytest.raises(BundleError) as caught:
        import_bundle(bundle(person(interval_days={"pathway_review": 183})))
    assert any(p.startswith("young_people[0].interval_days.pathway_review: must be at most 182 days")
               for p in caught.value.problems), caught.value.problems


def test_reg_7_a_pathway_review_override_of_182_days_is_accepted():
    load(person(interval_days={"pathway_review": 182}, pathway_reviews=["2025-10-01"]))
    expect("pathway_review", due="2026-04-01")


# --- Change 7: an empty optional string is absent ----------------------------------------------------------------------

def test_an_empty_optional_string_is_absent():
    load(person(circumstance="", sex="", upn="", contacts=[contact("2026-01-05", purpose="")]))
    expect("visit", last_met="2026-01-05", due="2026-03-02")


# --- Bundles: legal_status_history (issue 10, item 8) ------------------------------------------------------------------

HISTORY = [{"status": "relevant", "from": "2023-01-01"}, {"status": "qualifying", "from": "2026-02-01"}]


def test_a_report_as_of_a_past_date_uses_the_status_in_force_that_day():
    load(person(legal_status="qualifying", legal_status_history=HISTORY, pathway_reviews=["2025-10-01"]))
    assert codes("2026-01-31") == {"visit", "pathway_review"}
    assert codes("2026-02-01") == {"visit"}  # qualifying from that day: no pathway plan duty


def test_without_a_history_legal_status_holds_throughout():
    load(person(legal_status="qualifying"))
    assert codes("2025-10-01") == {"visit"}


def test_the_newest_status_of_the_history_must_be_legal_status():
    with pytest.raises(BundleError) as caught:
        import_bundle(bundle(person(legal_status="former_relevant", legal_status_history=HISTORY)))
    assert "young_people[0].legal_status_history[1].status: the newest status must be legal_status ('former_relevant')" \
        in caught.value.problems


def test_a_history_entry_outside_the_vocabulary_is_refused_with_its_path():
    with pytest.raises(BundleError) as caught:
        import_bundle(bundle(person(legal_status_history=[{"status": "looked_after", "from": "2024-01-01"}])))
    assert any(p.startswith("young_people[0].legal_status_history[0].status:") for p in caught.value.problems)


def test_importing_the_history_twice_changes_nothing():
    from careleavers.models import LegalStatusChange

    load(person(legal_status="qualifying", legal_status_history=HISTORY))
    load(person(legal_status="qualifying", legal_status_history=HISTORY))
    assert LegalStatusChange.objects.count() == 2


# --- Item 2: a reallocation never resets a clock ----------------------------------------------------------------------

def test_v3_a_reallocation_leaves_every_due_date_as_it_was():
    import datetime as dt

    from careleavers.models import Allocation, YoungPerson
    from compliance.engine import recompute_young_person
    from tests.factories import StaffFactory

    load(person(contacts=[contact("2026-01-05")], pathway_reviews=["2025-10-01"]))
    before = {c: expect(c) for c in ("visit", "pathway_review")}
    yp = YoungPerson.objects.get(ref="YP-1")
    new_pa = StaffFactory(team=yp.pa.team)
    Allocation.objects.filter(young_person=yp, end__isnull=True).update(end=dt.date(2026, 2, 20))
    Allocation.objects.create(young_person=yp, pa=new_pa, start=dt.date(2026, 2, 20), reason="Reallocated")
    yp.pa = new_pa
    yp.save()
    recompute_young_person(yp)
    assert {c: expect(c) for c in ("visit", "pathway_review")} == before
