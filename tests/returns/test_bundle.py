"""CONTRACT "Returns": import_cases accepts sex, ethnicity, upn, uasc, disability and in_touch_checks."""

import copy
import datetime as dt
import io

import pytest
from django.core.management import call_command

from careleavers.models import YoungPerson
from contacts.models import InTouchCheck
from interface.bundle import BundleError, import_bundle

BUNDLE = {
    "teams": [{"ref": "east", "name": "East Team"}],
    "staff": [{"ref": "pa-1", "name": "Sam Patel", "role": "pa", "team": "east"}],
    "young_people": [{
        "ref": "YP-0001", "name": "Jamie Doe", "date_of_birth": "2007-04-12", "legal_status": "former_relevant",
        "pa": "pa-1", "allocated_on": "2025-06-01",
        "sex": "F", "ethnicity": "WBRI", "upn": "A123456789012", "uasc": True, "disability": True,
        "in_touch_checks": [
            {"date": "2025-04-14", "in_touch": "YES", "activity": "F2", "accommodation": "C1"},
            {"date": "2025-12-01", "in_touch": "REFU", "activity": "0", "accommodation": "0"},
        ],
    }],
}


def with_person(**fields):
    bundle = copy.deepcopy(BUNDLE)
    bundle["young_people"][0].update(fields)
    return bundle


def problems(bundle):
    with pytest.raises(BundleError) as error:
        import_bundle(bundle)
    return error.value.problems


def test_x1_bundle_returns_fields_are_imported_and_reimport_changes_nothing(db):
    import_bundle(BUNDLE)
    yp = YoungPerson.objects.get(ref="YP-0001")
    assert (yp.sex, yp.ethnicity, yp.upn, yp.uasc, yp.disability) == ("F", "WBRI", "A123456789012", True, True)
    checks = list(InTouchCheck.objects.filter(young_person=yp).order_by("date").values_list(
        "date", "in_touch", "activity", "accommodation"))
    assert checks == [(dt.date(2025, 4, 14), "YES", "F2", "C1"), (dt.date(2025, 12, 1), "REFU", "0", "0")]
    summary = import_bundle(BUNDLE)
    assert summary.lines() == ["Nothing to change: the bundle matches what is already recorded."]
    assert InTouchCheck.objects.count() == 2


def test_x1_bundle_returns_fields_are_optional(db):
    bundle = copy.deepcopy(BUNDLE)
    for key in ("sex", "ethnicity", "upn", "uasc", "disability", "in_touch_checks"):
        del bundle["young_people"][0][key]
    import_bundle(bundle)
    yp = YoungPerson.objects.get(ref="YP-0001")
    assert (yp.sex, yp.ethnicity, yp.upn, yp.uasc, yp.disability) == ("", "", "", False, False)


@pytest.mark.parametrize(("fields", "expected"), [
    ({"sex": "X"}, "young_people[0].sex: 'X' is not one of M, F, U"),
    ({"ethnicity": "WHIT"}, "young_people[0].ethnicity: 'WHIT' is not one of WBRI"),
    ({"upn": "12345"}, "young_people[0].upn: not a UPN"),
    ({"uasc": "yes"}, "young_people[0].uasc: must be true or false"),
    ({"in_touch_checks": [{"date": "2025-04-14", "in_touch": "MAYBE", "activity": "F2", "accommodation": "C1"}]},
     "young_people[0].in_touch_checks[0].in_touch: 'MAYBE' is not one of YES"),
    ({"in_touch_checks": [{"date": "2025-04-14", "in_touch": "YES", "activity": "F2", "accommodation": "S1"}]},
     "young_people[0].in_touch_checks[0].accommodation: 'S1' is not one of"),
    ({"in_touch_checks": [{"date": "2025-04-14", "in_touch": "YES", "activity": "0", "accommodation": "U1"}]},
     "young_people[0].in_touch_checks[0].activity: When the young person is in touch"),
    ({"in_touch_checks": [{"date": "2025-04-14", "in_touch": "DIED", "activity": "0", "accommodation": "U1"}]},
     "young_people[0].in_touch_checks[0].accommodation: When the young person has died"),
    ({"in_touch_checks": [{"date": "14/04/2025", "in_touch": "YES", "activity": "F2", "accommodation": "U1"}]},
     "young_people[0].in_touch_checks[0].date: not a date"),
])
def test_x1_bundle_rejects_returns_values_outside_the_dfe_codes(db, fields, expected):
    found = problems(with_person(**fields))
    assert any(p.startswith(expected) for p in found), found
    assert not YoungPerson.objects.exists()


def test_x1_import_cases_command_reads_returns_fields(db, tmp_path):
    import json

    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(BUNDLE))
    call_command("import_cases", str(path), stdout=io.StringIO())
    assert YoungPerson.objects.get(ref="YP-0001").ethnicity == "WBRI"
