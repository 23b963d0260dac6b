"""X1/X2 code lists: exactly the DfE's (as its 903 validation rules 101, 103, 131, 132, 133 list them)."""

import pytest

from contacts import codes
from returns import dfe
from returns.forms import InTouchCheckForm, ReturnsDetailsForm
from returns.labels import annex_a_labels


def test_x1_in_touch_codes_are_the_dfe_list():
    assert list(codes.IN_TOUCH) == ["YES", "NO", "DIED", "REFU", "NREQ", "RHOM"]


def test_x1_activity_codes_are_the_dfe_list_with_apprenticeships_as_4():
    assert list(codes.ACTIVITY) == ["F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5", "G4", "G5", "G6", "0"]
    assert "apprenticeship" in codes.ACTIVITY["F4"] and "not apprenticeship" in codes.ACTIVITY["F5"]


def test_x1_accommodation_codes_are_the_dfe_list_without_suitable_homelessness_or_custody():
    assert sorted(codes.ACCOMMODATION) == sorted([
        "B1", "B2", "C1", "C2", "D1", "D2", "E1", "E2", "G1", "G2", "H1", "H2", "K1", "K2", "R1", "R2", "S2",
        "T1", "T2", "U1", "U2", "V1", "V2", "W1", "W2", "X2", "Y1", "Y2", "Z1", "Z2", "0"])


def test_x1_ethnicity_codes_are_the_dfe_list():
    assert sorted(codes.ETHNICITY) == sorted([
        "WBRI", "WIRI", "WOTH", "WIRT", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN", "ABAN", "AOTH",
        "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT"])
    assert sorted(annex_a_labels(2025).ethnicity) == sorted(codes.ETHNICITY)


def test_x1_sex_codes_are_the_dfe_list():
    assert list(dfe.SEX_CODES) == ["M", "F", "U"]


def test_x1_forms_offer_exactly_the_code_lists():
    check_form = InTouchCheckForm(young_person=None)
    assert [c for c, _ in check_form.fields["in_touch"].choices][1:] == list(codes.IN_TOUCH)
    assert [c for c, _ in check_form.fields["activity"].choices][1:] == list(codes.ACTIVITY)
    assert [c for c, _ in check_form.fields["accommodation"].choices][1:] == list(codes.ACCOMMODATION)
    details = ReturnsDetailsForm()
    assert [c for c, _ in details.fields["ethnicity"].choices][1:] == list(codes.ETHNICITY)
    assert [c for c, _ in details.fields["sex"].choices][1:] == ["M", "F", "U"]


@pytest.mark.parametrize(("upn", "valid"), [
    ("A123456789012", True), ("A12345678901B", True), ("UN2", True), ("UN5", True),
    ("UN1", False),  # under 6 without a UPN: never a care leaver (903 rule 209)
    ("I123456789012", False), ("A1234567890", False), ("a123456789012", False), ("UN6", False),
])
def test_x1_upn_format(upn, valid):
    assert dfe.upn_is_valid(upn) is valid


@pytest.mark.parametrize(("in_touch", "activity", "accommodation", "age", "fields"), [
    ("YES", "F2", "U1", 18, set()),
    ("NO", "0", "0", 18, set()),
    ("NO", "G5", "R1", 18, set()),      # known from someone else while not in touch
    ("REFU", "0", "0", 19, set()),
    ("NREQ", "0", "0", 20, set()),
    ("DIED", "0", "0", 21, set()),
    ("YES", "0", "U1", 18, {"activity"}),        # rule 345
    ("YES", "F2", "0", 18, {"accommodation"}),   # rule 345
    ("RHOM", "F2", "B1", 18, {"activity", "accommodation"}),  # rule 344
    ("YES", "F2", "Z1", 17, {"accommodation"}),  # rule 3001
    ("YES", "F2", "Z1", 18, set()),
    ("YES", "F2", "T1", 17, {"accommodation"}),  # rule 347
    ("YES", "F2", "X1", 18, {"accommodation"}),  # rule 133
])
def test_x1_check_problems_follow_the_dfe_rules(in_touch, activity, accommodation, age, fields):
    assert set(dfe.check_problems(in_touch=in_touch, activity=activity, accommodation=accommodation, age=age)) == fields
