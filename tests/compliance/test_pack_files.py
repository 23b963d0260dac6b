"""Policy packs as versioned data files (issue 10, item 3): checked against the schema, loaded by a
migration and `pack_load`, what meets a requirement read from the rows, and every edit kept in history."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from compliance.models import PackEvent, PackRequirement, PolicyPack
from compliance.packs import PACK_DIR, PackFileError, ensure_packs, pack_files, pack_keys, read_pack
from compliance.services import pack_load
from core.models import AuditEvent, AuditKind
from tests.compliance.test_rules import contact, expect, load, person

pytestmark = pytest.mark.django_db


def test_every_pack_file_matches_the_schema_and_names_every_contract_pack():
    assert pack_keys()[:6] == ("england", "pcc", "tct2", "buckinghamshire", "tower_hamlets", "derbyshire")
    for path in pack_files():
        data = read_pack(path)
        assert data.key == path.stem and data.requirements


def test_the_migration_loaded_every_pack_with_what_meets_each_row():
    row = PackRequirement.objects.get(pack__key="england", arrangement_kind="standard", circumstance="standard",
                                      requirement="visit")
    assert (row.met_by, row.with_whom, row.outcomes, row.rule, row.basis) == (
        "contact", "young_person", "completed", "V1", "law")
    assert row.methods == "home_visit,office_visit,face_to_face,unannounced_visit"


def test_t2_home_only_is_a_setting_of_the_row():
    row = PackRequirement.objects.get(pack__key="tower_hamlets", arrangement_kind="standard", circumstance="on_licence",
                                      requirement="visit")
    assert (row.methods, row.rule, row.interval_days) == ("home_visit", "T2", 42)


def test_t5_no_visit_for_higher_education_in_tower_hamlets_is_applies_false():
    codes = set(PackRequirement.objects.filter(pack__key="tower_hamlets", arrangement_kind="standard",
                                               circumstance="higher_education").values_list("requirement", flat=True))
    assert codes == {"contact", "pathway_review"}


def test_the_england_pack_labels_the_statute_and_practice():
    events = dict(PackEvent.objects.filter(pack__key="england").values_list("event_kind", "basis"))
    assert events["accommodation_provided"] == "law" and events["custody_start"] == "practice"


def _write(tmp_path, doc) -> object:
    path = tmp_path / f"{doc['key']}.json"
    path.write_text(json.dumps(doc))
    return path


def _england() -> dict:
    return json.loads((PACK_DIR / "england.json").read_text())


def test_a_file_that_breaks_the_schema_is_refused_with_its_path(tmp_path):
    doc = _england()
    doc["requirements"][0]["interval_days"] = "56"
    with pytest.raises(PackFileError) as caught:
        read_pack(_write(tmp_path, doc))
    assert any(p.startswith("requirements/0/interval_days:") for p in caught.value.problems)


def test_reg_7_a_pack_file_cannot_take_the_review_past_182_days(tmp_path):
    doc = _england()
    review = next(r for r in doc["requirements"] if r["requirement"] == "pathway_review")
    review["interval_days"] = 183
    with pytest.raises(PackFileError, match="at most 182 days"):
        read_pack(_write(tmp_path, doc))


def test_a_new_rule_of_what_meets_a_requirement_is_a_data_change(tmp_path):
    """Say a council counts a completed phone call as meeting the visit: one line of its file."""
    load(person(contacts=[contact("2026-01-05"), contact("2026-02-10", "phone")]))
    expect("visit", last_met="2026-01-05")
    doc = _england()
    doc["version"] += 1
    doc["meets"]["visit"]["methods"].append("phone")
    assert pack_load(data=read_pack(_write(tmp_path, doc)))
    expect("visit", last_met="2026-02-10", due="2026-04-07")
    assert PolicyPack.objects.get(key="england").version == doc["version"]


def test_pack_load_keeps_every_edit_in_history_and_audits_it(tmp_path):
    doc = _england()
    doc["version"] += 1
    visit = next(r for r in doc["requirements"] if r["requirement"] == "visit" and r["circumstance"] == "*")
    visit["interval_days"] = 42
    pack_load(data=read_pack(_write(tmp_path, doc)))
    row = PackRequirement.objects.get(pack__key="england", arrangement_kind="standard", circumstance="standard",
                                      requirement="visit")
    change = row.history.latest()
    assert (change.history_type, change.interval_days) == ("~", 42)  # a change, kept beside the row
    assert AuditEvent.objects.filter(kind=AuditKind.PACK_CHANGED, object_id=str(row.pack_id)).exists()
    assert not pack_load(data=read_pack(_write(tmp_path, doc)))  # unchanged the second time


def test_pack_load_command_checks_and_loads(capsys):
    call_command("pack_load", "--check")
    assert "england: version 3" in capsys.readouterr().out
    call_command("pack_load", "tower_hamlets")
    assert "tower_hamlets: version 3 unchanged" in capsys.readouterr().out
    with pytest.raises(CommandError, match="no pack file for kent"):
        call_command("pack_load", "kent")


def test_a_pack_new_to_the_database_is_written_in_a_few_statements_with_its_history(django_assert_max_num_queries):
    """Issue 16: ensure_packs after a flush (every transactional test) loads every pack; each new pack's rows and their
    "+" history rows are bulk inserts, not two statements a row. The rows are the files' rows either way."""
    PolicyPack.objects.all().delete()
    PackRequirement.history.all().delete()
    with django_assert_max_num_queries(12 * len(pack_files())):  # 936 statements row by row (6 packs)
        ensure_packs()
    for path in pack_files():
        data = read_pack(path)
        pack = PolicyPack.objects.get(key=data.key)
        rows = list(PackRequirement.objects.filter(pack=pack).values(*data.requirements[0]))
        assert sorted(rows, key=repr) == sorted(data.requirements, key=repr), data.key
        assert PackEvent.objects.filter(pack=pack).count() == len(data.events), data.key
        history = PackRequirement.history.filter(pack_id=pack.pk)
        assert history.count() == len(rows) and set(history.values_list("history_type", flat=True)) == {"+"}, data.key
