"""Issue 11, item 10: the case record's optional additions to a young person in a case bundle (details,
addresses, professionals, accommodation and activity histories, flags): validated with their JSON paths,
applied idempotently, and a bundle without them imports as before."""

import copy

import pytest

from careleavers.models import AccommodationPeriod, ActivityPeriod, AddressPeriod, Flag, KeyProfessional, YoungPerson
from interface.bundle import BundleError, import_bundle

from .test_import import GOOD

pytestmark = pytest.mark.django_db

CASE_RECORD = {
    "details": {"phone": "07700 900123", "email": "jamie@example.org", "preferred_contact": "text",
                "ni_number": "AB 12 34 56 C", "first_language": "Tigrinya", "interpreter_needed": True,
                "religion": "Orthodox Christian", "immigration_status": "Refugee status to 2030",
                "uasc_details": "Arrived 2021."},
    "addresses": [{"address": "1 Old Road, Leeds", "from": "2024-05-01", "to": "2025-09-01"},
                  {"address": "2 New Street, Leeds", "from": "2025-09-01"}],
    "professionals": [{"role": "gp", "name": "Dr Patel", "organisation": "Park Surgery", "phone": "0113 000"}],
    "accommodation_history": [
        {"type": "D", "from": "2024-05-01", "to": "2025-09-01", "council_provided": True},
        {"type": "U", "from": "2025-09-01", "provider": "Leeds Homes"},
    ],
    "activity_history": [{"activity": "F2", "from": "2025-09-01", "provider": "City College"}],
    "flags": [{"kind": "at_risk", "from": "2026-01-10", "reason": "Exploitation concern."},
              {"kind": "hazard", "from": "2025-01-10", "reason": "Dog.", "cleared": "2025-06-01",
               "clear_reason": "Moved."}],
}


def _bundle(**extra):
    bundle = copy.deepcopy(GOOD)
    bundle["young_people"][0].update(copy.deepcopy(extra))
    return bundle


def test_item10_the_case_record_imports_and_a_second_import_changes_nothing():
    import_bundle(_bundle(**CASE_RECORD))
    yp = YoungPerson.objects.get(ref="YP-0001")
    assert (yp.phone, yp.ni_number, yp.interpreter_needed) == ("07700 900123", "AB123456C", True)
    assert yp.address == "2 New Street, Leeds" and yp.accommodation == "own_tenancy" and yp.vulnerable
    assert AddressPeriod.objects.filter(young_person=yp).count() == 2
    assert AccommodationPeriod.objects.get(young_person=yp, end__isnull=True).provider == "Leeds Homes"
    assert ActivityPeriod.objects.get(young_person=yp).code == "F2"
    assert KeyProfessional.objects.get(young_person=yp).name == "Dr Patel"
    assert Flag.objects.filter(young_person=yp, cleared_on__isnull=True).count() == 1
    summary = import_bundle(_bundle(**CASE_RECORD))
    assert summary.lines() == ["Nothing to change: the bundle matches what is already recorded."]


def test_item10_a_bundle_without_the_additions_leaves_the_case_record_alone():
    import_bundle(_bundle(**CASE_RECORD))
    import_bundle(copy.deepcopy(GOOD))
    yp = YoungPerson.objects.get(ref="YP-0001")
    assert yp.phone == "07700 900123" and AccommodationPeriod.objects.filter(young_person=yp).count() == 2


@pytest.mark.parametrize("extra, problem", [
    ({"details": {"ni_number": "XX"}}, "young_people[0].details.ni_number: not an NI number"),
    ({"details": {"preferred_contact": "pigeon"}}, "young_people[0].details.preferred_contact: 'pigeon' is not one of"),
    ({"details": {"shoe_size": 9}}, "young_people[0].details.shoe_size: is not a field of a case bundle"),
    ({"accommodation_history": [{"type": "U", "from": "2025-01-01"}, {"type": "D", "from": "2025-06-01"}]},
     "young_people[0].accommodation_history[1].from: overlaps the period from 2025-01-01"),
    ({"accommodation_history": [{"type": "U", "from": "2025-06-01", "to": "2025-01-01"}]},
     "young_people[0].accommodation_history[0].to: must be after from"),
    ({"accommodation_history": [{"type": "U", "from": "2025-06-01", "suitable": False}]},
     "young_people[0].accommodation_history[0].unsuitable_reason: is required when suitable is false"),
    ({"accommodation_history": [{"type": "Q", "from": "2025-06-01"}]},
     "young_people[0].accommodation_history[0].type: 'Q' is not one of"),
    ({"activity_history": [{"activity": "0", "from": "2025-06-01"}]},
     "young_people[0].activity_history[0].activity: '0' is not one of"),
    ({"addresses": [{"from": "2025-06-01"}]}, "young_people[0].addresses[0].address: is required"),
    ({"flags": [{"kind": "vulnerable", "from": "2099-01-01", "reason": "x"}]},
     "young_people[0].flags[0].from: is in the future"),
    ({"professionals": [{"role": "wizard", "name": "Merlin"}]}, "young_people[0].professionals[0].role: 'wizard'"),
])
def test_item10_bad_additions_are_reported_with_their_path_and_nothing_is_imported(extra, problem):
    with pytest.raises(BundleError) as caught:
        import_bundle(_bundle(**extra))
    assert any(p.startswith(problem) for p in caught.value.problems), caught.value.problems
    assert not YoungPerson.objects.exists()
