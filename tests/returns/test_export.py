"""X1/X2: the three return files, their rows, codes, dates and wording (CONTRACT "Returns")."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command

from careleavers.models import LegalStatus
from returns.exports import FILE_NAMES, HEADER_COLUMNS, OC3_COLUMNS, build_returns, file_chunks, returns_chunks
from returns.labels import annex_a_labels
from tests.factories import ContactFactory, SignedOffPlanFactory, YoungPersonFactory

from .data import YEAR, check, realistic_caseload

D = dt.date


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def caseload(alice, charlie):
    return realistic_caseload(alice, charlie)


@pytest.fixture
def files(caseload):
    return build_returns(YEAR).csv_files()


def by_child(text, key="CHILD"):
    return {r[key]: r for r in rows(text)}


def test_x1_oc3_has_everyone_with_a_17th_to_21st_birthday_and_22_to_25_only_in_touch(files):
    """CONTRACT v2, change 6: relevant and former relevant only, so YP-I (qualifying) is not in OC3."""
    oc3 = by_child(files["oc3.csv"])
    assert sorted(oc3) == ["YP-A", "YP-B", "YP-C", "YP-D", "YP-E", "YP-F", "YP-G", "YP-H", "YP-J", "YP-K",
                           "YP-L", "YP-N"]
    assert "YP-I" not in by_child(files["header.csv"])


def test_x1_oc3_leaves_out_eligible_and_qualifying_young_people(caseload):
    from careleavers.models import LegalStatus, YoungPerson

    YoungPerson.objects.filter(ref="YP-A").update(legal_status=LegalStatus.ELIGIBLE)
    oc3 = by_child(build_returns(YEAR).csv_files()["oc3.csv"])
    assert "YP-A" not in oc3 and "YP-I" not in oc3 and "YP-B" in oc3


def test_x1_oc3_values_come_from_the_check_closest_to_the_birthday(files):
    oc3 = by_child(files["oc3.csv"])
    assert oc3["YP-A"] == {"CHILD": "YP-A", "DOB": "15/06/2007", "IN_TOUCH": "YES", "ACTIV": "F2", "ACCOM": "E1"}
    assert (oc3["YP-G"]["IN_TOUCH"], oc3["YP-G"]["ACTIV"], oc3["YP-G"]["ACCOM"]) == ("YES", "F4", "B1")
    assert (oc3["YP-C"]["IN_TOUCH"], oc3["YP-C"]["ACTIV"], oc3["YP-C"]["ACCOM"]) == ("DIED", "0", "0")
    assert oc3["YP-D"]["IN_TOUCH"] == "REFU"


def test_x1_oc3_without_a_check_in_the_window_is_not_in_touch(files):
    oc3 = by_child(files["oc3.csv"])
    assert (oc3["YP-B"]["IN_TOUCH"], oc3["YP-B"]["ACTIV"], oc3["YP-B"]["ACCOM"]) == ("NO", "0", "0")  # none recorded
    assert (oc3["YP-H"]["IN_TOUCH"], oc3["YP-H"]["ACTIV"], oc3["YP-H"]["ACCOM"]) == ("NO", "0", "0")  # outside window


def test_x1_files_have_the_contract_columns_and_header_matches_oc3(files):
    assert files["header.csv"].splitlines()[0] == ",".join(HEADER_COLUMNS) == "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"
    assert files["oc3.csv"].splitlines()[0] == ",".join(OC3_COLUMNS) == "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM"
    header, oc3 = by_child(files["header.csv"]), by_child(files["oc3.csv"])
    assert list(header) == list(oc3)
    assert header["YP-A"] == {"CHILD": "YP-A", "SEX": "F", "DOB": "15/06/2007", "ETHNIC": "WBRI", "UPN": "A123456789012",
                              "MOTHER": "", "MC_DOB": ""}
    assert header["YP-B"]["UPN"] == "UN2" and header["YP-B"]["SEX"] == "M"


def test_x1_x2_dates_are_dd_mm_yyyy(files):
    header, annex = by_child(files["header.csv"]), by_child(files["annex_a_list9.csv"], "Child Unique ID")
    assert header["YP-G"]["DOB"] == "29/02/2008"
    assert header["YP-E"]["DOB"] == "01/04/2005"
    assert annex["YP-A"]["Date of Birth"] == "15/06/2007"
    assert annex["YP-A"]["Latest Pathway Plan Review Date"] == "01/12/2025"
    assert annex["YP-A"]["Latest Date of Contact"] == "02/02/2026"


def test_x2_annex_a_columns_in_order(files):
    assert next(csv.reader(io.StringIO(files["annex_a_list9.csv"]))) == [
        "Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "UASC", "Disability", "Allocated Team",
        "Allocated Worker", "Allocated Personal Advisor", "Eligibility Category", "Latest Pathway Plan Review Date",
        "LA in Touch", "Latest Date of Contact", "Type of Accommodation", "Suitability of Accommodation",
        "Activity Status",
    ]


def test_x2_annex_a_has_everyone_in_service_on_31_march(files):
    annex = by_child(files["annex_a_list9.csv"], "Child Unique ID")
    # In service on 31 Mar 2026: 16-20, or under 25 with support to 25 (not YP-N, 25 on 1 Mar);
    # not the closed case (YP-C died), not YP-Q (26).
    assert sorted(annex) == ["YP-A", "YP-B", "YP-D", "YP-E", "YP-F", "YP-G", "YP-H", "YP-I", "YP-J", "YP-K", "YP-L",
                             "YP-M", "YP-O", "YP-P"]


def test_x2_annex_a_wording(files, alice):
    annex = by_child(files["annex_a_list9.csv"], "Child Unique ID")
    a = annex["YP-A"]
    assert (a["Gender"], a["Ethnicity"], a["Age"], a["UASC"], a["Disability"]) == (
        "b) Female", "a) WBRI", "18", "a) Yes", "b) No")
    assert (a["Allocated Team"], a["Allocated Worker"], a["Allocated Personal Advisor"]) == ("North Team", alice.name, alice.name)
    assert a["Eligibility Category"] == "b) Former relevant child"
    assert (a["LA in Touch"], a["Type of Accommodation"], a["Suitability of Accommodation"], a["Activity Status"]) == (
        "a) Yes", "E: Supported lodgings", "a) Suitable", "F2: Full-time in education other than higher education")
    g = annex["YP-G"]
    assert (g["Gender"], g["Ethnicity"], g["Disability"], g["Age"]) == ("b) Female", "q) CHNE", "a) Yes", "18")
    assert g["Eligibility Category"] == "a) Relevant child"
    assert annex["YP-I"]["Eligibility Category"] == "c) Qualifying care leaver"
    assert annex["YP-I"]["LA in Touch"] == "b) No" and annex["YP-I"]["Type of Accommodation"] == ""
    assert annex["YP-J"]["Suitability of Accommodation"] == "b) Unsuitable"
    assert annex["YP-O"]["LA in Touch"] == ""  # no check recorded: left blank, listed as lacking


@pytest.mark.parametrize(("status", "wording"), [
    (LegalStatus.RELEVANT, "a) Relevant child"),
    (LegalStatus.FORMER_RELEVANT, "b) Former relevant child"),
    (LegalStatus.QUALIFYING, "c) Qualifying care leaver"),
    (LegalStatus.ELIGIBLE, "d) Eligible child"),
])
def test_x2_eligibility_category_wording(db, alice, status, wording):
    yp = YoungPersonFactory(pa=alice, legal_status=status, date_of_birth=D(2008, 1, 1))
    SignedOffPlanFactory(young_person=yp)
    annex = by_child(build_returns(YEAR).csv_files()["annex_a_list9.csv"], "Child Unique ID")
    assert annex[yp.ref]["Eligibility Category"] == wording
    assert set(annex_a_labels(YEAR).eligibility) == set(LegalStatus.values)


def test_x1_not_recorded_sex_and_ethnicity_use_dfe_unknown_codes_and_are_listed(db, alice):
    yp = YoungPersonFactory(pa=alice, date_of_birth=D(2007, 6, 15), sex="", ethnicity="", upn="")
    returns = build_returns(YEAR)
    header = by_child(returns.csv_files()["header.csv"])
    assert (header[yp.ref]["SEX"], header[yp.ref]["ETHNIC"], header[yp.ref]["UPN"]) == ("U", "NOBT", "")
    (person, problems), = returns.lacking
    assert (person.pk, person.ref) == (yp.pk, yp.ref)  # issue 16: a row of the young person, not a model instance
    assert any("Sex not recorded" in p for p in problems) and any("Ethnicity" in p for p in problems)
    assert any("UPN not recorded" in p for p in problems)
    assert any("No in-touch check recorded around the 18th birthday" in p for p in problems)


def test_x1_lacking_lists_checks_that_break_dfe_rules(db, alice):
    yp = YoungPersonFactory(pa=alice, date_of_birth=D(2008, 6, 15), sex="F", ethnicity="WBRI", upn="UN2")
    check(yp, D(2025, 6, 1), "YES", "F2", "Z1")  # with former foster carers at 17 (DfE rule 3001)
    (_, problems), = build_returns(YEAR).lacking
    assert any("former foster carers" in p for p in problems)


def test_x1_x2_export_has_a_fixed_number_of_queries(db, alice, charlie, django_assert_num_queries):
    def make(n):
        for i in range(n):
            yp = YoungPersonFactory(pa=alice if i % 2 else charlie, date_of_birth=D(2006, 1 + i % 12, 1 + i % 28))
            check(yp, birthday_check_day(yp))
            ContactFactory(young_person=yp, date=D(2026, 1, 5))
            SignedOffPlanFactory(young_person=yp)

    def birthday_check_day(yp):
        return dt.date(2025 if yp.date_of_birth.month >= 4 else 2026, yp.date_of_birth.month, yp.date_of_birth.day)

    make(5)
    # issue 16 (pin lowered from 8): in service on 31 March / the young people / their in-touch checks (both
    # files) / last contacts / accommodation and activity in force (issue 11)
    with django_assert_num_queries(6):
        small = build_returns(YEAR).csv_files()
    make(45)
    with django_assert_num_queries(6):
        large = build_returns(YEAR).csv_files()
    assert len(rows(small["oc3.csv"])) == 5 and len(rows(large["oc3.csv"])) == 50
    assert len(rows(large["annex_a_list9.csv"])) == 50


def test_x1_x2_chunks_follow_on_in_ref_order_and_each_costs_the_same_queries(caseload, django_assert_num_queries):
    """Issue 16: the returns are worked out a few young people at a time (keyset over ref); the chunks put
    together are the whole returns, without gaps or repeats, and each chunk costs a fixed number of queries."""
    whole = build_returns(YEAR)
    chunks = returns_chunks(YEAR, size=3)
    with django_assert_num_queries(6):  # in service on 31 March, then the first chunk's five
        first = next(chunks)
    entries = list(first)
    for chunk in chunks:
        assert len(chunk) <= 3
        entries += chunk
    assert [e.young_person.ref for e in entries] == sorted(e.young_person.ref for e in entries)
    assert [e.oc3.values for e in entries if e.oc3] == [row.values for row in whole.oc3]
    assert [e.annex_a for e in entries if e.annex_a] == whole.annex_a
    assert [(e.young_person.ref, e.problems) for e in entries if e.problems] == [
        (yp.ref, problems) for yp, problems in whole.lacking]
    chunks = returns_chunks(YEAR, size=3)
    next(chunks)
    for _ in range(2):  # the young people / their checks / last contacts / accommodation / activity
        with django_assert_num_queries(5):
            next(chunks)


def test_x1_x2_files_sent_a_chunk_at_a_time_are_the_files_written(caseload, tmp_path):
    returns = build_returns(YEAR)
    returns.write(tmp_path)
    for name in FILE_NAMES:
        sent = "".join(text for text, _ in file_chunks(YEAR, name, size=4))
        assert sent.encode() == (tmp_path / name).read_bytes()
        assert sent == returns.csv_files()[name]
    ids = [pk for _, chunk_ids in file_chunks(YEAR, "oc3.csv", size=4) for pk in chunk_ids]
    assert ids == returns.young_person_ids("oc3.csv")


def test_x1_export_returns_command_writes_the_three_files(caseload, tmp_path):
    out = io.StringIO()
    call_command("export_returns", "--year", str(YEAR), "--out", str(tmp_path / "out"), stdout=out, stderr=io.StringIO())
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["annex_a_list9.csv", "header.csv", "oc3.csv"]
    assert "12 young people in oc3.csv" in out.getvalue()  # YP-I is qualifying: not in OC3 (CONTRACT v2, change 6)
    text = (tmp_path / "out" / "oc3.csv").read_bytes().decode()
    assert text.startswith("CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\r\n")


def test_x1_export_returns_command_refuses_a_bad_year(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("export_returns", "--year", "25", "--out", str(tmp_path))
