"""Issue 14 item 11: a bundle that nests too deeply or carries NUL characters is refused with a message
and its JSON path, never a traceback; an existing member of staff's role or team changes only with
--update-staff; dates of birth and contacts in the future are refused."""

import copy
import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from careleavers.models import Role, Staff
from interface.bundle import MAX_DEPTH, BundleError, _deepest, _too_deep, import_bundle, parse_bundle

from .test_import import GOOD

pytestmark = pytest.mark.django_db


def run(tmp_path, text: str, *args: str) -> tuple[str, str]:
    path = tmp_path / "bundle.json"
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_cases", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_deeply_nested_json_is_a_message_with_its_path(tmp_path):
    text = '{"young_people": [{"events": ' + "[" * 100_000 + "]" * 100_000 + "}]}"
    with pytest.raises(CommandError):
        run(tmp_path, text)
    with pytest.raises(BundleError) as refused:
        parse_bundle(text)
    assert refused.value.problems[0].startswith("young_people[0].events")
    assert f"nested more than {MAX_DEPTH} levels deep" in refused.value.problems[0]


def test_import_deep_nesting_given_as_data_is_refused_too():
    data: list = []
    for _ in range(5000):
        data = [data]
    with pytest.raises(BundleError) as refused:
        import_bundle({"young_people": data})
    assert refused.value.problems == [f"young_people{'[0]' * MAX_DEPTH}: nested more than {MAX_DEPTH} levels deep"]


def test_import_nul_characters_are_refused_with_their_path(tmp_path):
    bundle = copy.deepcopy(GOOD)
    bundle["young_people"][0]["name"] = "Jamie\u0000Doe"
    with pytest.raises(CommandError):
        run(tmp_path, json.dumps(bundle))
    with pytest.raises(BundleError) as refused:
        parse_bundle(json.dumps(bundle))
    assert refused.value.problems == ["young_people[0].name: contains a NUL character"]


def test_the_quick_depth_count_skips_strings_and_agrees_with_the_exact_scan():
    """Issue 16, item 4: parse_bundle counts the nesting at C speed and names the path (a slow scan) only
    when it is too deep: brackets inside strings, escaped quotes among them, do not count."""
    inside = '"' + "[{" * 50 + '\\"' + "[" * 50 + '"'
    text = '{"young_people": [{"name": ' + inside + ', "events": ' + "[" * (MAX_DEPTH - 3) + "]" * (MAX_DEPTH - 3) + "}]}"
    assert _deepest(text) == MAX_DEPTH and _too_deep(text) is None
    assert parse_bundle(text)["young_people"][0]["name"].startswith("[{")
    deeper = text.replace("[" * (MAX_DEPTH - 3), "[" * (MAX_DEPTH - 2)).replace("]" * (MAX_DEPTH - 3), "]" * (MAX_DEPTH - 2))
    assert _deepest(deeper) == MAX_DEPTH + 1 and _too_deep(deeper) is not None
    with pytest.raises(BundleError) as refused:
        parse_bundle(deeper)
    assert refused.value.problems[0].startswith("young_people[0].events")


def test_text_that_only_looks_like_an_escaped_nul_is_not_refused():
    """The NUL walk runs only when the text may hold one; a backslash then "u0000" as text is not a NUL."""
    bundle = copy.deepcopy(GOOD)
    bundle["young_people"][0]["name"] = "Pat \\u0000 Lee"
    text = json.dumps(bundle)
    assert "\\u0000" in text
    assert parse_bundle(text)["young_people"][0]["name"] == "Pat \\u0000 Lee"


def test_import_raw_nul_byte_is_invalid_json_not_a_traceback(tmp_path):
    with pytest.raises(CommandError, match=r"\$: not valid JSON"):
        run(tmp_path, '{"young_people": [\x00]}')


def test_import_refuses_to_change_a_staff_members_team_without_update_staff(tmp_path):
    import_bundle(copy.deepcopy(GOOD))
    bundle = copy.deepcopy(GOOD)
    bundle["teams"].append({"ref": "west", "name": "West Team"})
    bundle["staff"][1]["team"] = "west"
    with pytest.raises(BundleError) as refused:
        import_bundle(copy.deepcopy(bundle))
    assert any(p.startswith("staff[1]: 'tl-1' is on record as team_leader in team 'east'") and "--update-staff" in p
               for p in refused.value.problems)
    assert Staff.objects.get(ref="tl-1").team.ref == "east"
    run(tmp_path, json.dumps(bundle), "--update-staff")
    moved = Staff.objects.get(ref="tl-1")
    assert (moved.role, moved.team.ref) == (Role.TEAM_LEADER, "west")


def test_import_a_new_name_for_existing_staff_needs_no_flag():
    import_bundle(copy.deepcopy(GOOD))
    bundle = copy.deepcopy(GOOD)
    bundle["staff"][0]["name"] = "Sam Patel-Jones"
    import_bundle(bundle)
    assert Staff.objects.get(ref="pa-1").name == "Sam Patel-Jones"


def test_import_refuses_future_dates_of_birth_and_contacts():
    bundle = copy.deepcopy(GOOD)
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    bundle["young_people"][0]["date_of_birth"] = "9999-01-01"
    bundle["young_people"][0]["allocated_on"] = "9999-02-01"
    bundle["young_people"][1]["contacts"] = [
        {"date": future, "method": "home_visit", "with": "young_person", "outcome": "completed"}]
    with pytest.raises(BundleError) as refused:
        import_bundle(bundle)
    assert "young_people[0].date_of_birth: is in the future" in refused.value.problems
    assert "young_people[1].contacts[0].date: is in the future" in refused.value.problems
