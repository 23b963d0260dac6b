"""CONTRACT.md compliance rules, one test per rule ID, driven through the public contract:
a case bundle (interface.bundle.import_bundle) and the report (compliance.selectors.report_rows).

Run on SQLite and on PostgreSQL: the engine spells date arithmetic per dialect.
The helpers here are shared by tests/compliance/test_rules_*.py.
"""

import datetime as dt

import pytest

from approvals.models import Arrangement, ArrangementState
from compliance.engine import recompute, requirements_as_of
from compliance.models import PackEvent, PackRequirement, PolicyPack, Requirement
from compliance.selectors import report_rows
from contacts.models import Contact
from interface.bundle import import_bundle

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 3, 1)


def day(value: str | dt.date) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def person(ref: str = "YP-1", **fields) -> dict:
    """A young person of a bundle: 19 on AS_OF, allocated on 2025-06-01, nothing recorded."""
    return {
        "ref": ref,
        "name": f"Person {ref}",
        "date_of_birth": "2006-04-12",
        "legal_status": "former_relevant",
        "pa": "pa-1",
        "allocated_on": "2025-06-01",
        **fields,
    }


def contact(date: str, method: str = "home_visit", outcome: str = "completed", with_: str = "young_person", **extra) -> dict:
    return {"date": date, "method": method, "with": with_, "outcome": outcome, **extra}


def bundle(*people: dict, pack: str = "england") -> dict:
    return {
        "pack": pack,
        "teams": [{"ref": "east", "name": "East Team"}],
        "staff": [
            {"ref": "pa-1", "name": "Sam Patel", "role": "pa", "team": "east"},
            {"ref": "tl-1", "name": "Jo Reid", "role": "team_leader", "team": "east"},
        ],
        "young_people": list(people),
    }


def load(*people: dict, pack: str = "england") -> None:
    import_bundle(bundle(*people, pack=pack))


def report(as_of: str | dt.date = AS_OF) -> dict[tuple[str, str], dict]:
    return {(r["young_person"], r["requirement"]): r for r in report_rows(day(as_of))}


def codes(as_of: str | dt.date = AS_OF, ref: str = "YP-1") -> set[str]:
    return {code for (who, code) in report(as_of) if who == ref}


def row(code: str, as_of: str | dt.date = AS_OF, ref: str = "YP-1") -> dict | None:
    return report(as_of).get((ref, code))


def in_report(as_of: str | dt.date, ref: str = "YP-1") -> bool:
    return any(r["young_person"] == ref for r in report_rows(day(as_of)))


def expect(code: str, as_of: str | dt.date = AS_OF, ref: str = "YP-1", **wanted) -> dict:
    found = row(code, as_of, ref)
    assert found is not None, f"no {code} row for {ref} on {as_of}: {report(as_of)}"
    assert {k: found[k] for k in wanted} == wanted, found
    return found


# --- V1 / V3 / V4 / V2 / P2 -------------------------------------------------------------------------------------------


def test_v1_visit_due_after_56_days():
    load(person(contacts=[contact("2026-01-05")], pathway_reviews=["2025-10-01"]))
    assert report() == {
        ("YP-1", "pathway_review"): {"young_person": "YP-1", "requirement": "pathway_review", "last_met": "2025-10-01",
                                     "due": "2026-04-01", "status": "ok", "days_overdue": 0},
        ("YP-1", "visit"): {"young_person": "YP-1", "requirement": "visit", "last_met": "2026-01-05",
                            "due": "2026-03-02", "status": "due_soon", "days_overdue": 0},
    }


@pytest.mark.parametrize("pack", ["england", "pcc", "tct2", "buckinghamshire", "derbyshire"])
def test_v1_every_eight_weekly_pack_has_a_56_day_visit(pack):
    load(person(contacts=[contact("2026-01-05")]), pack=pack)
    assert codes() == {"visit", "pathway_review"}
    expect("visit", due="2026-03-02")


def test_v1_latest_visit_counts():
    load(person(contacts=[contact("2026-01-20", "face_to_face"), contact("2025-12-01"), contact("2026-01-05")]))
    expect("visit", last_met="2026-01-20", due="2026-03-17", status="ok")


@pytest.mark.parametrize("method", ["home_visit", "office_visit", "face_to_face", "unannounced_visit"])
def test_c2_every_face_to_face_method_is_a_visit(method):
    load(person(contacts=[contact("2026-01-05", method)]))
    expect("visit", last_met="2026-01-05")


@pytest.mark.parametrize(
    "recorded",
    [
        contact("2026-01-05", "home_visit", "no_response"),
        contact("2026-01-05", "home_visit", "cancelled_by_yp"),
        contact("2026-01-05", "office_visit", "cancelled_by_pa"),
        contact("2026-01-05", "home_visit", "declined"),
        contact("2026-01-05", "phone"),
        contact("2026-01-05", "text"),
        contact("2026-01-05", "home_visit", with_="third_party"),
        contact("2026-01-05", "home_visit", with_="family"),
    ],
    ids=["no_response", "cancelled_by_yp", "cancelled_by_pa", "declined", "phone", "text", "third_party", "family"],
)
def test_c2_only_a_completed_face_to_face_contact_with_the_young_person_is_a_visit(recorded):
    load(person(contacts=[recorded]))
    expect("visit", last_met=None, due="2025-07-27")


def test_v3_never_met_counts_from_allocation():
    load(person(allocated_on="2025-06-01"))
    expect("visit", last_met=None, due="2025-07-27", status="overdue", days_overdue=217)
    expect("pathway_review", last_met=None, due="2025-11-30", status="overdue", days_overdue=91)


def test_v3_never_met_counts_from_arrangement_start_when_it_is_later():
    load(person(allocated_on="2025-06-01", arrangement={"kind": "step_back", "active_from": "2025-09-01"}))
    expect("keeping_in_touch", last_met=None, due="2025-12-01")
    # pathway_review counts from the later of the two as well (the contract's V3 wording is general)
    expect("pathway_review", last_met=None, due="2026-03-02")


def test_v3_never_met_counts_from_allocation_when_the_arrangement_started_earlier():
    load(person(allocated_on="2025-06-01", arrangement={"kind": "reduced_visits", "active_from": "2025-01-01"}))
    expect("contact", last_met=None, due="2025-07-27")


def test_v3_a_contact_before_the_arrangement_is_last_met_but_the_pattern_counts_from_active_from():
    """CONTRACT v2, change 1: a requirement the arrangement brings counts from its active_from at the earliest:
    the due date is the later of last met and active_from, plus the interval; last_met is still reported."""
    load(person(arrangement={"kind": "reduced_visits", "active_from": "2025-12-01"}, contacts=[contact("2025-11-20", "phone")]))
    expect("contact", last_met="2025-11-20", due="2026-01-26")


def test_v3_a_visit_made_before_the_arrangement_began():
    """A visit made the day before a reduced-visits arrangement began: the contact requirement counts from active_from."""
    load(person(arrangement={"kind": "reduced_visits", "active_from": "2026-01-10"}, contacts=[contact("2026-01-09")]))
    expect("contact", last_met="2026-01-09", due="2026-03-07")


def test_v3_the_day_an_arrangement_ends_the_visit_is_due_one_interval_later():
    """The 706-days-overdue case: a step back of two years ends; on that day the visit is due 56 days later, not overdue."""
    load(person(date_of_birth="2004-01-10", extended_support=True, allocated_on="2023-01-01",
                arrangement={"kind": "step_back", "active_from": "2024-03-01"}, contacts=[contact("2024-02-20")]))
    arrangement = Arrangement.objects.get()
    arrangement.state, arrangement.ended_on = ArrangementState.ENDED, dt.date(2026, 3, 1)
    arrangement.save()
    assert "visit" not in codes("2026-02-28")
    expect("visit", "2026-03-01", last_met="2024-02-20", due="2026-04-26", status="ok", days_overdue=0)


def test_v3_a_bundles_standard_arrangement_gives_the_day_the_pattern_resumed():
    load(person(arrangement={"kind": "standard", "active_from": "2026-02-01"}, contacts=[contact("2025-11-20")]))
    expect("visit", last_met="2025-11-20", due="2026-03-29")
    assert codes("2026-01-31") == {"visit", "pathway_review"}
    expect("visit", "2026-01-31", last_met="2025-11-20", due="2026-01-15", status="overdue")


@pytest.mark.parametrize(
    ("as_of", "status", "days_overdue"),
    [
        ("2026-02-15", "ok", 0),  # 15 days before due
        ("2026-02-16", "due_soon", 0),  # V2: 14 days before due, first day of the window
        ("2026-03-02", "due_soon", 0),  # the due date itself is not overdue
        ("2026-03-03", "overdue", 1),  # V4: days overdue count from the due date
        ("2026-03-07", "overdue", 5),
    ],
)
def test_v2_v4_visit_status_around_the_due_date(as_of, status, days_overdue):
    load(person(contacts=[contact("2026-01-05")]))
    expect("visit", as_of, due="2026-03-02", status=status, days_overdue=days_overdue)


def test_v4_due_date_equal_to_the_report_date_is_due_soon_not_overdue():
    load(person(contacts=[contact("2026-01-04")]))
    expect("visit", "2026-03-01", due="2026-03-01", status="due_soon", days_overdue=0)


@pytest.mark.parametrize(
    ("as_of", "status", "days_overdue"),
    [
        ("2026-03-03", "ok", 0),  # 29 days before
        ("2026-03-04", "due_soon", 0),  # P2: 28 days before due
        ("2026-04-01", "due_soon", 0),
        ("2026-04-02", "overdue", 1),
    ],
)
def test_p2_pathway_review_due_soon_28_days_ahead(as_of, status, days_overdue):
    load(person(pathway_reviews=["2025-10-01"], contacts=[contact(as_of)]))
    expect("pathway_review", as_of, last_met="2025-10-01", due="2026-04-01", status=status, days_overdue=days_overdue)


def test_p1_latest_of_several_pathway_reviews_counts():
    load(person(pathway_reviews=["2025-04-01", "2025-10-01", "2025-07-01"]))
    expect("pathway_review", last_met="2025-10-01", due="2026-04-01")


@pytest.mark.parametrize(
    ("arrangement", "pack"),
    [(None, "england"), ({"kind": "reduced_visits", "active_from": "2025-09-01"}, "tct2"),
     ({"kind": "step_back", "active_from": "2025-09-01"}, "buckinghamshire"),
     ({"kind": "different_needs", "active_from": "2025-09-01"}, "derbyshire"), (None, "tower_hamlets")],
)
def test_p1_everyone_in_service_has_a_pathway_review_every_182_days(arrangement, pack):
    load(person(pathway_reviews=["2025-10-01"], **({"arrangement": arrangement} if arrangement else {})), pack=pack)
    expect("pathway_review", last_met="2025-10-01", due="2026-04-01")


def test_report_is_sorted_by_young_person_ref_then_requirement_code():
    load(person("YP-2", circumstance="settled"), person("YP-1"), person("YP-10"), pack="tower_hamlets")
    keys = [(r["young_person"], r["requirement"]) for r in report_rows(AS_OF)]
    assert keys == [("YP-1", "pathway_review"), ("YP-1", "visit"), ("YP-10", "pathway_review"), ("YP-10", "visit"),
                    ("YP-2", "contact"), ("YP-2", "pathway_review"), ("YP-2", "visit")]


# --- Tower Hamlets (T) ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("circumstance", ["standard", "not_settled", "on_licence", "custody", "emergency_accommodation"])
def test_t1_tower_hamlets_visit_every_42_days(circumstance):
    load(person(circumstance=circumstance, contacts=[contact("2026-01-05")]), pack="tower_hamlets")
    assert codes() == {"visit", "pathway_review"}
    expect("visit", last_met="2026-01-05", due="2026-02-16", status="overdue", days_overdue=13)


def test_t3_tower_hamlets_settled_contact_every_21_days_and_visit_every_42():
    load(person(circumstance="settled", contacts=[contact("2026-01-05"), contact("2026-02-10", "phone")]),
         pack="tower_hamlets")
    assert codes() == {"visit", "contact", "pathway_review"}
    expect("visit", last_met="2026-01-05", due="2026-02-16", status="overdue")
    expect("contact", last_met="2026-02-10", due="2026-03-03", status="due_soon")


def test_t3_a_visit_is_also_a_contact():
    load(person(circumstance="settled", contacts=[contact("2026-02-20", "office_visit"), contact("2026-02-01", "phone")]),
         pack="tower_hamlets")
    expect("contact", last_met="2026-02-20", due="2026-03-13")


def test_t3_attempts_and_third_parties_do_not_meet_the_contact_requirement():
    load(person(circumstance="settled", allocated_on="2026-01-01",
                contacts=[contact("2026-02-01", "phone", "no_response"), contact("2026-02-02", "phone", with_="third_party")]),
         pack="tower_hamlets")
    expect("contact", last_met=None, due="2026-01-22")


def test_t5_tower_hamlets_higher_education_phone_every_42_days_and_no_visit():
    load(person(circumstance="higher_education", date_of_birth="2004-06-01", extended_support=True,
                contacts=[contact("2026-01-20", "phone")]), pack="tower_hamlets")
    assert codes() == {"contact", "pathway_review"}
    expect("contact", last_met="2026-01-20", due="2026-03-03", status="due_soon")


@pytest.mark.parametrize("circumstance", ["settled", "higher_education"])
def test_t3_t5_circumstances_change_nothing_outside_tower_hamlets(circumstance):
    load(person(circumstance=circumstance, contacts=[contact("2026-01-05")]), pack="england")
    assert codes() == {"visit", "pathway_review"}
    expect("visit", due="2026-03-02")


def test_t2_on_licence_an_office_visit_does_not_meet_the_visit():
    load(person(circumstance="on_licence", contacts=[contact("2025-12-01"), contact("2026-02-01", "office_visit"),
                                                     contact("2026-02-10", "face_to_face")]))
    expect("visit", last_met="2025-12-01", due="2026-01-26", status="overdue", days_overdue=34)


def test_t2_on_licence_a_home_visit_meets_the_visit():
    load(person(circumstance="on_licence", contacts=[contact("2026-02-01", "office_visit"), contact("2026-02-10")]),
         pack="tower_hamlets")
    expect("visit", last_met="2026-02-10", due="2026-03-24")


# --- Arrangements (R6, S5, D3) -----------------------------------------------------------------------------------------


def test_r6_reduced_visits_contact_every_56_days_and_no_visit():
    load(person(arrangement={"kind": "reduced_visits", "active_from": "2025-09-01"},
                contacts=[contact("2025-12-01"), contact("2026-01-10", "text")]), pack="tct2")
    assert codes() == {"contact", "pathway_review"}
    expect("contact", last_met="2026-01-10", due="2026-03-07", status="due_soon")


def test_r6_reduced_visits_replace_the_standard_visit_in_any_pack():
    load(person(arrangement={"kind": "reduced_visits", "active_from": "2025-09-01"}, circumstance="settled"),
         pack="tower_hamlets")
    assert codes() == {"contact", "pathway_review"}
    expect("contact", due="2025-10-27")


def test_s5_step_back_keeping_in_touch_every_91_days_and_no_visit():
    load(person(arrangement={"kind": "step_back", "active_from": "2025-11-01"},
                contacts=[contact("2025-12-15", "letter", "no_response", purpose="kit_offer")]), pack="buckinghamshire")
    assert codes() == {"keeping_in_touch", "pathway_review"}
    expect("keeping_in_touch", last_met="2025-12-15", due="2026-03-16", status="ok")


@pytest.mark.parametrize("outcome", ["completed", "no_response", "cancelled_by_yp", "cancelled_by_pa", "declined"])
def test_s5_keeping_in_touch_met_by_a_kit_offer_whatever_its_outcome(outcome):
    load(person(arrangement={"kind": "step_back", "active_from": "2025-09-01"},
                contacts=[contact("2026-01-10", "email", outcome, purpose="kit_offer")]))
    expect("keeping_in_touch", last_met="2026-01-10", due="2026-04-11")


def test_s5_a_kit_offer_through_a_third_party_meets_keeping_in_touch():
    """S6: a third party can act as conduit, and the contract says "any contact whose purpose is kit_offer"."""
    load(person(arrangement={"kind": "step_back", "active_from": "2025-09-01"},
                contacts=[contact("2026-01-10", "letter", with_="third_party", purpose="kit_offer")]))
    expect("keeping_in_touch", last_met="2026-01-10")


def test_s5_any_completed_contact_with_the_young_person_meets_keeping_in_touch():
    load(person(arrangement={"kind": "step_back", "active_from": "2025-09-01"},
                contacts=[contact("2026-01-10", "phone"), contact("2026-01-20", "phone", "no_response")]))
    expect("keeping_in_touch", last_met="2026-01-10", due="2026-04-11")


def test_s5_an_unanswered_contact_that_is_not_an_offer_does_not_meet_keeping_in_touch():
    load(person(arrangement={"kind": "step_back", "active_from": "2025-09-01"},
                contacts=[contact("2026-01-10", "letter", "no_response"), contact("2026-01-11", "phone", with_="family")]))
    expect("keeping_in_touch", last_met=None, due="2025-12-01", status="overdue", days_overdue=90)


def test_d3_different_needs_lead_worker_every_84_days_family_every_182_and_no_visit():
    load(person(arrangement={"kind": "different_needs", "active_from": "2025-08-01"},
                contacts=[contact("2025-12-01", "phone", with_="lead_social_worker"),
                          contact("2025-09-15", "face_to_face", with_="family")]), pack="derbyshire")
    assert codes() == {"lead_worker_contact", "family_contact", "pathway_review"}
    expect("lead_worker_contact", last_met="2025-12-01", due="2026-02-23", status="overdue", days_overdue=6)
    expect("family_contact", last_met="2025-09-15", due="2026-03-16", status="ok")  # 15 days ahead


def test_d3_only_completed_contacts_with_the_right_person_count():
    load(person(allocated_on="2025-06-01", arrangement={"kind": "different_needs", "active_from": "2025-08-01"},
                contacts=[contact("2026-01-01", "phone", "no_response", with_="lead_social_worker"),
                          contact("2026-01-02", "phone", with_="family"),
                          contact("2026-01-03", "home_visit"),
                          contact("2026-01-04", "phone", "declined", with_="family")]))
    expect("lead_worker_contact", last_met=None, due="2025-10-24")
    expect("family_contact", last_met="2026-01-02", due="2026-07-03")


# --- interval_days overrides (T4, V1) ----------------------------------------------------------------------------------


def test_t4_interval_override_sets_the_visit_interval():
    load(person(circumstance="not_settled", interval_days={"visit": 28}, contacts=[contact("2026-01-05")]),
         pack="tower_hamlets")
    expect("visit", due="2026-02-02", status="overdue", days_overdue=27)


def test_v1_interval_override_shorter_visit_interval():
    load(person(interval_days={"visit": 28}, contacts=[contact("2026-01-05")]))
    expect("visit", due="2026-02-02")
    expect("pathway_review", due="2025-11-30")  # untouched


def test_t4_interval_override_of_contact_and_pathway_review():
    load(person(circumstance="settled", interval_days={"contact": 7, "pathway_review": 90},
                contacts=[contact("2026-02-20", "phone")], pathway_reviews=["2026-01-01"]), pack="tower_hamlets")
    expect("contact", due="2026-02-27")
    expect("visit", due="2025-07-13")  # 42, not overridden
    expect("pathway_review", due="2026-04-01")


@pytest.mark.parametrize(
    ("arrangement", "override"),
    [(None, "keeping_in_touch"), (None, "contact"), (None, "lead_worker_contact"), (None, "family_contact"),
     ({"kind": "reduced_visits", "active_from": "2025-09-01"}, "visit"),
     ({"kind": "step_back", "active_from": "2025-09-01"}, "visit")],
)
def test_interval_override_for_a_requirement_that_does_not_apply_is_ignored(arrangement, override):
    fields = {"arrangement": arrangement} if arrangement else {}
    load(person(**fields))
    without = report()
    load(person(**fields, interval_days={override: 7}))
    assert report() == without
    assert override not in codes()


def test_e3_interval_override_of_visit_does_not_change_the_escalation_date():
    attempts = [contact(d, "phone", "no_response") for d in ("2026-01-10", "2026-01-24", "2026-02-07")]
    load(person(arrangement={"kind": "reduced_visits", "active_from": "2025-10-01"}, contacts=attempts,
                interval_days={"visit": 7}), pack="tct2")
    expect("visit", due="2026-02-07", last_met=None)


def test_removing_an_override_restores_the_pack_interval():
    load(person(interval_days={"visit": 28}, contacts=[contact("2026-01-05")]))
    expect("visit", due="2026-02-02")
    load(person(contacts=[contact("2026-01-05")]))
    expect("visit", due="2026-03-02")


# --- Ages and who is in service ----------------------------------------------------------------------------------------


def test_in_service_from_the_16th_birthday():
    load(person(date_of_birth="2010-03-01", allocated_on="2026-01-01"))
    assert not in_report("2026-02-28")
    assert in_report("2026-03-01")


def test_out_of_service_on_the_21st_birthday():
    load(person(date_of_birth="2005-03-01", allocated_on="2023-03-01"))
    assert in_report("2026-02-28")
    assert not in_report("2026-03-01")


def test_extended_support_to_the_25th_birthday():
    load(person(date_of_birth="2001-03-01", allocated_on="2019-03-01", extended_support=True))
    assert in_report("2022-03-01")  # past 21
    assert in_report("2026-02-28")
    assert not in_report("2026-03-01")


def test_29_february_birthday_is_1_march_in_common_years():
    load(person(date_of_birth="2004-02-29", allocated_on="2020-02-01"))
    assert not in_report("2020-02-28")
    assert in_report("2020-02-29")  # the 16th birthday falls in a leap year
    assert in_report("2025-02-28")
    assert not in_report("2025-03-01")  # 21st birthday in a common year


def test_29_february_birthday_extended_support_ends_on_1_march():
    load(person(date_of_birth="2004-02-29", allocated_on="2020-03-01", extended_support=True))
    assert in_report("2029-02-28")
    assert not in_report("2029-03-01")


def test_d4_derbyshire_different_needs_in_service_until_21_years_and_1_month():
    load(person(date_of_birth="2005-06-15", allocated_on="2023-06-15",
                arrangement={"kind": "different_needs", "active_from": "2025-01-01"}), pack="derbyshire")
    assert in_report("2026-06-15")  # 21st birthday
    assert in_report("2026-07-14")
    assert not in_report("2026-07-15")


def test_d4_21_years_and_1_month_is_the_last_day_of_a_shorter_month():
    load(person(date_of_birth="2005-01-31", allocated_on="2023-01-31",
                arrangement={"kind": "different_needs", "active_from": "2025-01-01"}), pack="derbyshire")
    assert in_report("2026-02-27")
    assert not in_report("2026-02-28")


def test_d4_29_february_birthday_21_years_and_1_month_is_1_april():
    load(person(date_of_birth="2004-02-29", allocated_on="2022-03-01",
                arrangement={"kind": "different_needs", "active_from": "2024-01-01"}), pack="derbyshire")
    assert in_report("2025-03-31")
    assert not in_report("2025-04-01")


@pytest.mark.parametrize(
    ("pack", "arrangement"),
    [("england", {"kind": "different_needs", "active_from": "2025-01-01"}), ("derbyshire", None),
     ("derbyshire", {"kind": "step_back", "active_from": "2025-01-01"}),
     ("derbyshire", {"kind": "different_needs", "active_from": "2026-07-20"})],  # only active after 21y1m
    ids=["other-pack", "no-arrangement", "other-arrangement", "arrangement-after-date"],
)
def test_d4_otherwise_out_of_service_at_21(pack, arrangement):
    load(person(date_of_birth="2005-06-15", allocated_on="2023-06-15",
                **({"arrangement": arrangement} if arrangement else {})), pack=pack)
    assert in_report("2026-06-14")
    assert not in_report("2026-06-15")
    assert not in_report("2026-07-01")


def test_d4_extended_support_still_runs_to_25_under_different_needs():
    load(person(date_of_birth="2005-06-15", allocated_on="2023-06-15", extended_support=True,
                arrangement={"kind": "different_needs", "active_from": "2025-01-01"}), pack="derbyshire")
    assert in_report("2028-01-01")


def test_young_person_allocated_after_the_report_date_is_not_in_the_report():
    load(person(allocated_on="2026-03-02"))
    assert not in_report("2026-03-01")
    assert in_report("2026-03-02")


def test_young_person_closed_on_or_before_the_date_is_out_of_service():
    from careleavers.models import YoungPerson

    load(person())
    yp = YoungPerson.objects.get(ref="YP-1")
    yp.closed_on = dt.date(2026, 3, 1)
    yp.save()
    assert in_report("2026-02-28")
    assert not in_report("2026-03-01")


# --- Records dated after the report date, voids, ended arrangements --------------------------------------------------


def test_records_dated_after_the_date_are_ignored_contacts():
    load(person(contacts=[contact("2026-01-05"), contact("2026-03-02"), contact("2026-03-02", "phone")]))
    expect("visit", "2026-03-01", last_met="2026-01-05", due="2026-03-02")
    expect("visit", "2026-03-02", last_met="2026-03-02", due="2026-04-27")


def test_records_dated_after_the_date_are_ignored_reviews():
    load(person(pathway_reviews=["2025-10-01", "2026-03-05"]))
    expect("pathway_review", "2026-03-04", last_met="2025-10-01", due="2026-04-01")
    expect("pathway_review", "2026-03-05", last_met="2026-03-05", due="2026-09-03")


def test_records_dated_after_the_date_are_ignored_events():
    load(person(contacts=[contact("2026-02-20")], events=[{"kind": "emergency_placement", "date": "2026-03-02"}]))
    expect("visit", "2026-03-01", due="2026-04-17")
    expect("visit", "2026-03-02", due="2026-03-09")


def test_records_dated_after_the_date_are_ignored_arrangement_start():
    load(person(arrangement={"kind": "step_back", "active_from": "2026-03-02"}, contacts=[contact("2026-01-05")]))
    assert codes("2026-03-01") == {"visit", "pathway_review"}
    expect("visit", "2026-03-01", due="2026-03-02")
    assert codes("2026-03-02") == {"keeping_in_touch", "pathway_review"}
    # V3 (CONTRACT v2, change 1): the step back's requirement counts from its active_from at the earliest.
    expect("keeping_in_touch", "2026-03-02", last_met="2026-01-05", due="2026-06-01")


def test_c2_a_voided_contact_is_ignored():
    load(person(contacts=[contact("2026-01-05"), contact("2026-02-01")]))
    expect("visit", last_met="2026-02-01")
    voided = Contact.objects.get(date=dt.date(2026, 2, 1))
    voided.voided_at = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC)
    voided.void_reason = "Recorded against the wrong young person"
    voided.save()
    expect("visit", last_met="2026-01-05", due="2026-03-02")


def test_arrangement_ended_before_the_date_brings_the_standard_pattern_back():
    load(person(arrangement={"kind": "step_back", "active_from": "2025-09-01"}, contacts=[contact("2025-12-20")]))
    arrangement = Arrangement.objects.get()
    arrangement.state = ArrangementState.ENDED
    arrangement.ended_on = dt.date(2026, 2, 1)
    arrangement.save()
    assert codes("2026-01-31") == {"keeping_in_touch", "pathway_review"}
    assert codes("2026-02-01") == {"visit", "pathway_review"}
    # V3 (CONTRACT v2, change 1): the standard pattern resumes the day the step back ended, so the visit is due
    # one interval after that day, not counted from the last visit made during the step back.
    expect("visit", "2026-02-01", last_met="2025-12-20", due="2026-03-29")


@pytest.mark.parametrize("state", [ArrangementState.REQUESTED, ArrangementState.TEAM_LEADER_APPROVED,
                                   ArrangementState.REJECTED, ArrangementState.WITHDRAWN])
def test_a_an_arrangement_that_is_not_approved_changes_nothing(state, alice):
    from careleavers.models import YoungPerson

    load(person(contacts=[contact("2026-01-05")]))
    Arrangement.objects.create(young_person=YoungPerson.objects.get(ref="YP-1"), kind="step_back", state=state,
                               active_from=dt.date(2025, 9, 1) if state != ArrangementState.REQUESTED else None)
    assert codes() == {"visit", "pathway_review"}


# --- Policy packs are data ---------------------------------------------------------------------------------------------


def test_v1_editing_the_pack_interval_moves_the_due_date():
    load(person(contacts=[contact("2026-01-05")]))
    expect("visit", due="2026-03-02")
    rule = PackRequirement.objects.get(pack__key="england", arrangement_kind="standard", circumstance="standard",
                                       requirement="visit")
    rule.interval_days = 30
    rule.save()
    expect("visit", due="2026-02-04", status="overdue", days_overdue=25)


def test_v2_editing_the_pack_window_moves_due_soon():
    load(person(contacts=[contact("2026-01-05")]))
    expect("visit", "2026-02-10", status="ok")
    PackRequirement.objects.filter(pack__key="england", requirement="visit").update(due_soon_days=21)
    expect("visit", "2026-02-10", status="due_soon")


def test_t7_editing_the_pack_event_window_moves_the_due_date():
    load(person(contacts=[contact("2026-02-20")], events=[{"kind": "emergency_placement", "date": "2026-02-25"}]))
    expect("visit", due="2026-03-04")
    PackEvent.objects.filter(pack__key="england", event_kind="emergency_placement").update(window_days=3)
    expect("visit", due="2026-02-28", status="overdue")


def test_e3_editing_the_pack_escalation_attempts_moves_the_visit():
    attempts = [contact(d, "phone", "no_response") for d in ("2026-01-10", "2026-01-24", "2026-02-07")]
    load(person(arrangement={"kind": "reduced_visits", "active_from": "2025-10-01"}, contacts=attempts), pack="tct2")
    expect("visit", due="2026-02-07")
    PolicyPack.objects.filter(key="tct2").update(escalation_attempts=2)
    expect("visit", due="2026-01-24")
    PolicyPack.objects.filter(key="tct2").update(escalation_attempts=4)
    assert "visit" not in codes()


def test_the_active_pack_decides_the_rules():
    load(person(contacts=[contact("2026-01-05")]), pack="tower_hamlets")
    expect("visit", due="2026-02-16")
    PolicyPack.objects.update(is_active=False)
    PolicyPack.objects.filter(key="pcc").update(is_active=True)
    expect("visit", due="2026-03-02")


# --- The stored rows (engine.recompute) agree with the report ---------------------------------------------------------


def _stored(ref: str = "YP-1") -> dict[str, Requirement]:
    return {r.code: r for r in Requirement.objects.filter(young_person__ref=ref)}


def test_v1_recompute_stores_due_and_due_soon_from():
    load(person(contacts=[contact("2026-01-05")], pathway_reviews=["2025-10-01"]))
    recompute(AS_OF)
    stored = _stored()
    assert set(stored) == {"visit", "pathway_review"}
    visit = stored["visit"]
    assert (visit.last_met, visit.due, visit.due_soon_from, visit.interval_days, visit.basis) == (
        dt.date(2026, 1, 5), dt.date(2026, 3, 2), dt.date(2026, 2, 16), 56, "interval")
    review = stored["pathway_review"]
    assert (review.due, review.due_soon_from, review.interval_days) == (dt.date(2026, 4, 1), dt.date(2026, 3, 4), 182)


def test_recompute_removes_rows_that_no_longer_apply_and_keeps_unchanged_rows():
    load(person(contacts=[contact("2026-01-05")]))
    recompute(AS_OF)
    review_id = _stored()["pathway_review"].pk
    load(person(contacts=[contact("2026-01-05")], arrangement={"kind": "step_back", "active_from": "2026-02-01"}))
    recompute(AS_OF)
    stored = _stored()
    assert set(stored) == {"keeping_in_touch", "pathway_review"}
    assert stored["pathway_review"].pk == review_id
    assert stored["keeping_in_touch"].due == dt.date(2026, 5, 3)  # V3: from active_from (2026-02-01) + 91


def test_recompute_out_of_service_removes_every_row():
    load(person(date_of_birth="2005-03-01", allocated_on="2023-03-01"))
    recompute(dt.date(2026, 2, 28))
    assert set(_stored()) == {"visit", "pathway_review"}
    recompute(dt.date(2026, 3, 1))
    assert _stored() == {}


def test_requirements_as_of_rows_match_the_report():
    load(person("YP-1", contacts=[contact("2026-01-05")], events=[{"kind": "custody_start", "date": "2026-01-10"}]),
         person("YP-2", arrangement={"kind": "reduced_visits", "active_from": "2025-10-01"},
                contacts=[contact(d, "phone", "no_response") for d in ("2026-01-10", "2026-01-24", "2026-02-07")]),
         pack="tct2")
    rows = {(r.ref, r.code): r for r in requirements_as_of(AS_OF)}
    assert rows[("YP-1", "visit")].basis == "event"
    assert rows[("YP-1", "visit")].due == dt.date(2026, 2, 7)
    assert rows[("YP-2", "visit")].basis == "escalation"
    assert rows[("YP-2", "visit")].interval_days is None
    assert rows[("YP-2", "visit")].due_soon_from == dt.date(2026, 1, 24)
    assert {k: (r.last_met, r.due) for k, r in rows.items()} == {
        (r["young_person"], r["requirement"]): (r["last_met"] and day(r["last_met"]), day(r["due"]))
        for r in report_rows(AS_OF)
    }


# --- Through factories and the incremental path ------------------------------------------------------------------------


def test_v1_factories_and_recompute_young_person_store_the_visit_row():
    from compliance.engine import recompute_young_person
    from tests.factories import ContactFactory, YoungPersonFactory

    yp = YoungPersonFactory(allocated_on=dt.date(2025, 6, 1))
    ContactFactory(young_person=yp, date=dt.date(2026, 1, 5))
    recompute_young_person(yp, AS_OF)
    visit = Requirement.objects.get(young_person=yp, code="visit")
    assert (visit.last_met, visit.due, visit.basis, visit.computed_for) == (
        dt.date(2026, 1, 5), dt.date(2026, 3, 2), "interval", AS_OF)
    ContactFactory(young_person=yp, date=dt.date(2026, 2, 20), method="office_visit")
    recompute_young_person(yp, AS_OF)
    visit.refresh_from_db()
    assert (visit.last_met, visit.due) == (dt.date(2026, 2, 20), dt.date(2026, 4, 17))


def test_e3_factories_and_recompute_store_an_escalation_row_and_remove_it_after_a_visit():
    from compliance.engine import recompute_young_person
    from tests.factories import ArrangementFactory, ContactFactory, YoungPersonFactory

    yp = YoungPersonFactory()
    ArrangementFactory(young_person=yp, kind="reduced_visits", active_from=dt.date(2025, 10, 1))
    for date in (dt.date(2026, 1, 10), dt.date(2026, 1, 24), dt.date(2026, 2, 7)):
        ContactFactory(young_person=yp, date=date, method="phone", outcome="no_response")
    recompute_young_person(yp, AS_OF)
    visit = Requirement.objects.get(young_person=yp, code="visit")
    assert (visit.due, visit.due_soon_from, visit.interval_days, visit.basis) == (
        dt.date(2026, 2, 7), dt.date(2026, 1, 24), None, "escalation")
    ContactFactory(young_person=yp, date=dt.date(2026, 2, 15), method="home_visit")
    recompute_young_person(yp, AS_OF)
    assert set(Requirement.objects.filter(young_person=yp).values_list("code", flat=True)) == {"contact", "pathway_review"}


def test_t6_p1_factories_and_recompute_store_the_event_basis():
    from compliance.engine import recompute_young_person
    from tests.factories import ContactFactory, EventFactory, SignedOffPlanFactory, YoungPersonFactory

    yp = YoungPersonFactory()
    ContactFactory(young_person=yp, date=dt.date(2026, 1, 5))
    SignedOffPlanFactory(young_person=yp, review_date=dt.date(2025, 12, 1))
    EventFactory(young_person=yp, kind="custody_start", date=dt.date(2026, 1, 10))
    EventFactory(young_person=yp, kind="significant_change", date=dt.date(2026, 2, 10))
    recompute_young_person(yp, AS_OF)
    stored = {r.code: (r.due, r.basis) for r in Requirement.objects.filter(young_person=yp)}
    assert stored == {"visit": (dt.date(2026, 2, 7), "event"), "pathway_review": (dt.date(2026, 3, 10), "event")}
