"""Case bundles (CONTRACT.md `import_cases`): validate everything, then apply atomically.

Validation collects every problem with its JSON path before anything is written, so a bundle
with any error changes nothing. Applying is idempotent: records are matched by `ref`, contacts
by (young person, date, method, with) in order of appearance.
"""

import contextlib
import datetime as dt
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Max
from django.db.models.expressions import RawSQL
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from approvals.models import Arrangement, ArrangementDecision, ArrangementKind, ArrangementState, Decision, Step
from careleavers.models import (
    AbsenceReason,
    Allocation,
    Circumstance,
    Event,
    IntervalOverride,
    LegalStatus,
    LegalStatusChange,
    PlannedAbsence,
    Role,
    Staff,
    Team,
    YoungPerson,
)
from compliance.checkpoints import caseload_orders_lock
from compliance.engine import recompute
from compliance.models import PolicyPack, RequirementCode
from compliance.packs import DEFAULT_PACK, PATHWAY_REVIEW_DAYS, ensure_packs, pack_keys
from compliance.services import pack_activate
from contacts import codes
from contacts.models import Contact, InTouchCheck, Method, Outcome, Purpose, With
from core.audit import audit_record
from core.dates import service_birthdays
from core.models import AuditKind
from pathway.models import PathwayPlan, PlanState
from returns.dfe import check_problems, upn_is_valid

from .bulk import create_rows_with_history, create_with_history
from .case_record_bundle import CASE_RECORD_KEYS, apply_case_record, validate_case_record

#: The longest interval a bundle may give (ten years): anything longer is a typing mistake.
MAX_INTERVAL_DAYS = 3650
BUNDLE_EVENT_KINDS = ["custody_start", "emergency_placement", "accommodation_provided", "significant_change"]


#: How deeply a bundle may nest (the contract's deepest path is five levels): deeper is refused with its path.
MAX_DEPTH = 20


class BundleError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ImportSummary:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        kinds = sorted(set(self.created) | set(self.updated))
        if not kinds:
            return ["Nothing to change: the bundle matches what is already recorded."]
        return [f"{kind}: {self.created[kind]} created, {self.updated[kind]} updated" for kind in kinds]


class _Checker:
    """Walks the bundle once, recording `path: problem` for everything wrong."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.dates: dict[str, dt.date] = {}  # issue 16, item 4: a council's 250 000 contacts share a few hundred dates

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path.removeprefix('$.')}: {message}")  # top-level keys read `pack`, not `$.pack`

    def obj(self, value: Any, path: str, required: set[str], optional: set[str]) -> bool:
        if not isinstance(value, dict):
            self.fail(path, "must be an object")
            return False
        for key in sorted(k for k in required if value.get(k) is None):
            self.fail(f"{path}.{key}", "is required")
        for key in sorted(value.keys() - required - optional):
            self.fail(f"{path}.{key}", "is not a field of a case bundle")
        for key in optional:  # CONTRACT v2, change 7: an empty optional string is absent (spreadsheet exports)
            if value.get(key) == "":
                value[key] = None
        return True

    def items(self, value: Any, path: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(path, "must be a list")
            return []
        return value

    def text(self, parent: dict, key: str, path: str, max_length: int = 200) -> str | None:
        value = parent.get(key)
        if value is None:  # absent or null: a missing required field is reported once, by obj()
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{path}.{key}", "must be a non-empty string")
            return None
        if len(value) > max_length:
            self.fail(f"{path}.{key}", f"is longer than {max_length} characters")
            return None
        return value.strip()

    def date(self, value: Any, path: str) -> dt.date | None:
        if value is None:  # a missing required date is reported once, by obj()
            return None
        day = self.known_date(value)
        if day is None:
            self.fail(path, "not a date (expected YYYY-MM-DD)")
        return day

    def known_date(self, value: Any) -> dt.date | None:
        """`value` as a date when it is one written YYYY-MM-DD (not 2026-W01-1), else None; read once per text."""
        if not isinstance(value, str):
            return None
        day = self.dates.get(value)
        if day is None and _ISO_DATE.fullmatch(value):
            with contextlib.suppress(ValueError):  # 2026-02-30
                day = self.dates[value] = dt.date.fromisoformat(value)
        return day

    def choice(self, parent: dict, key: str, path: str, allowed: list[str]) -> str | None:
        if parent.get(key) is None:  # absent or null, as text()
            return None
        value = parent[key]
        if value not in allowed:
            self.fail(f"{path}.{key}", f"{value!r} is not one of {', '.join(allowed)}")
            return None
        return value

    def boolean(self, parent: dict, key: str, path: str, *, default: bool = False) -> bool:
        value = parent.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(f"{path}.{key}", "must be true or false")
            return False
        return value


#: Each vocabulary's values, read once (an enum's `.values` builds its list on every call).
_VALUES = {enum: enum.values for enum in (Method, With, Outcome, LegalStatus, Circumstance)}
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: A contact's fields (CONTRACT.md), and the values each of its vocabularies allows, as sets for the quick path.
_CONTACT_REQUIRED = {"date", "method", "with", "outcome"}
_CONTACT_FIELDS = frozenset(_CONTACT_REQUIRED | {"purpose"})
_CONTACT_VOCABULARIES = (("method", frozenset(_VALUES[Method])), ("with", frozenset(_VALUES[With])),
                         ("outcome", frozenset(_VALUES[Outcome])))

YP_REQUIRED = {"ref", "name", "date_of_birth", "legal_status", "pa", "allocated_on"}
YP_OPTIONAL = {
    "circumstance", "extended_support", "interval_days", "arrangement", "events", "contacts", "pathway_reviews",
    "sex", "ethnicity", "upn", "uasc", "disability", "in_touch_checks", "pa_service", "legal_status_history",
} | CASE_RECORD_KEYS  # issue 11, item 10


def parse_bundle(text: str) -> Any:
    """The bundle's JSON, or a BundleError with the JSON path of what cannot be read: nesting deeper
    than MAX_DEPTH (its path named by a scan of the text, so no RecursionError) and NUL characters.
    What it returns has been checked for both: `validate_bundle(..., shape_checked=True)` need not walk it again."""
    try:
        data = json.loads(text)
    except (RecursionError, json.JSONDecodeError) as exc:
        # Not JSON, or too deep for the parser: the nesting is reported first, as the scan below finds it.
        path = None if _deepest(text) <= MAX_DEPTH else _too_deep(text)
        if path is not None:
            raise BundleError([f"{path.removeprefix('$.')}: nested more than {MAX_DEPTH} levels deep"]) from exc
        if isinstance(exc, RecursionError):  # not reached after the scan; kept so a parser change cannot give a traceback
            raise BundleError([f"$: nested more than {MAX_DEPTH} levels deep"]) from exc
        raise BundleError([f"$: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"]) from exc
    # Issue 16, item 4: the depth is counted on the parsed containers (faster than scanning 24 MiB of text);
    # the pass that names the path (slow in Python over megabytes) runs only when it is too deep.
    too_deep = _deeper_than(data, MAX_DEPTH)
    path = _too_deep(text) if too_deep else None
    if path is not None:
        raise BundleError([f"{path.removeprefix('$.')}: nested more than {MAX_DEPTH} levels deep"])
    # A text with no NUL in it, raw or escaped, and not too deep has no shape problem; the walk that names
    # each problem's path runs only when there may be one.
    if too_deep or "\x00" in text or "\\u0000" in text:
        problems = _shape_problems(data)
        if problems:
            raise BundleError(problems)
    return data


def _deeper_than(data: Any, limit: int) -> bool:
    """Whether `data` nests more than `limit` containers deep, level by level (no recursion)."""
    level = [data] if isinstance(data, dict | list) else []
    for _ in range(limit):
        below = []
        for container in level:
            below.extend(item for item in (container.values() if isinstance(container, dict) else container)
                         if isinstance(item, dict | list))
        if not below:
            return False
        level = below
    return True


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _deepest(text: str) -> int:
    """How deep `text` nests, at C speed: its strings and everything but brackets removed by regular
    expressions, then the brackets counted (a few hundred thousand for a council's bundle)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    depth = deepest = 0
    for char in brackets:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _too_deep(text: str) -> str | None:
    """The JSON path at which `text` first nests deeper than MAX_DEPTH, by one pass over its characters."""
    stack: list[list] = []  # per open container: ["{", last key] or ["[", index]
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == '"':
            end = i + 1
            while end < n and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            if stack and stack[-1][0] == "{" and text[end + 1:end + 40].lstrip().startswith(":"):
                try:
                    stack[-1][1] = json.loads(text[i:end + 1])
                except ValueError:
                    return None  # the parser reports it
            i = end + 1
            continue
        if char in "[{":
            stack.append(["[", 0] if char == "[" else ["{", None])
            if len(stack) > MAX_DEPTH:
                return _path(stack[:-1])
        elif char in "]}" and stack:
            stack.pop()
        elif char == "," and stack and stack[-1][0] == "[":
            stack[-1][1] += 1
        i += 1
    return None


def _path(stack: list[list]) -> str:
    path = "$"
    for kind, at in stack:
        path += f"[{at}]" if kind == "[" else f".{at}"
    return path


def _shape_problems(data: Any) -> list[str]:
    """NUL characters in any key or string (PostgreSQL cannot store them) and nesting deeper than
    MAX_DEPTH, with their paths; iterative, so no input can exhaust the stack."""
    problems = []
    todo: list[tuple[Any, str, int]] = [(data, "$", 0)]
    while todo:
        value, path, depth = todo.pop()
        if depth > MAX_DEPTH:
            problems.append(f"{path.removeprefix('$.')}: nested more than {MAX_DEPTH} levels deep")
            continue
        if isinstance(value, str) and "\x00" in value:
            problems.append(f"{path.removeprefix('$.')}: contains a NUL character")
        elif isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    problems.append(f"{path.removeprefix('$.')}: a key contains a NUL character")
                    continue
                todo.append((item, f"{path}.{key}", depth + 1))
        elif isinstance(value, list):
            todo.extend((item, f"{path}[{j}]", depth + 1) for j, item in enumerate(value))
    return sorted(problems)


def validate_bundle(data: Any, *, update_staff: bool = False,  # noqa: C901, PLR0912, PLR0915  (one pass, in the contract's order)
                    progress: Callable[[str, int, int], None] | None = None, shape_checked: bool = False) -> dict:
    """Return the bundle normalised (dates parsed), or raise BundleError listing every problem.
    `shape_checked`: `data` is what parse_bundle returned, already checked for NUL characters and nesting."""
    shape = [] if shape_checked else _shape_problems(data)
    if shape:
        raise BundleError(shape)
    today = timezone.localdate()
    c = _Checker()
    if not c.obj(data, "$", {"young_people"}, {"pack", "teams", "staff", "absences", "young_people"}):
        raise BundleError(c.problems)
    out: dict[str, Any] = {"pack": c.choice(data, "pack", "$", list(pack_keys())) or DEFAULT_PACK}

    teams: dict[str, dict] = {}
    for i, team in enumerate(c.items(data.get("teams"), "teams")):
        path = f"teams[{i}]"
        if c.obj(team, path, {"ref", "name"}, set()):
            ref, name = c.text(team, "ref", path, 50), c.text(team, "name", path)
            if ref in teams:
                c.fail(f"{path}.ref", f"{ref!r} appears twice")
            elif ref and name:
                teams[ref] = {"ref": ref, "name": name}
    known_teams = set(teams) | set(Team.objects.values_list("ref", flat=True))
    on_record = {ref: (role, team) for ref, role, team in Staff.objects.values_list("ref", "role", "team__ref")}

    staff: dict[str, dict] = {}
    in_error: dict[str, None] = {}
    for i, person in enumerate(c.items(data.get("staff"), "staff")):
        path = f"staff[{i}]"
        if not c.obj(person, path, {"ref", "name", "role", "team"}, set()):
            continue
        ref, name = c.text(person, "ref", path, 50), c.text(person, "name", path)
        role = c.choice(person, "role", path, Role.values)
        team = person.get("team")
        if team is not None and (not isinstance(team, str) or team not in known_teams):
            c.fail(f"{path}.team", f"no team with ref {team!r} in the bundle or on record")
        if team is None and role in (Role.PA, Role.TEAM_LEADER):
            c.fail(f"{path}.team", f"a {role} belongs to a team")
        if ref in on_record and role and not update_staff and on_record[ref] != (role, team):
            was_role, was_team = on_record[ref]
            c.fail(path, f"{ref!r} is on record as {was_role} in team {was_team!r}; the bundle says {role} in team "
                         f"{team!r}. Nothing changes a member of staff's role or team unless import_cases is run "
                         "with --update-staff")
        if ref in staff:
            c.fail(f"{path}.ref", f"{ref!r} appears twice")
        elif ref and name and role:
            staff[ref] = {"ref": ref, "name": name, "role": role, "team": team}
        elif ref:
            in_error[ref] = None  # its own problem is reported; references to it are not problems too
    known_staff_roles = in_error | dict(Staff.objects.values_list("ref", "role")) | {r: s["role"] for r, s in staff.items()}

    absences = []
    for i, absence in enumerate(c.items(data.get("absences"), "absences")):
        path = f"absences[{i}]"
        if not c.obj(absence, path, {"staff", "start", "end", "reason"}, set()):
            continue
        who = absence.get("staff")
        if not isinstance(who, str) or who not in known_staff_roles:
            c.fail(f"{path}.staff", f"no staff member with ref {who!r}")
        start, end = c.date(absence.get("start"), f"{path}.start"), c.date(absence.get("end"), f"{path}.end")
        reason = c.choice(absence, "reason", path, AbsenceReason.values)
        if start and end and end < start:
            c.fail(f"{path}.end", "is before start")
        absences.append({"staff": who, "start": start, "end": end, "reason": reason})

    young_people = []
    seen: set[str] = set()
    listed = c.items(data.get("young_people"), "young_people")
    for i, yp in enumerate(listed):
        path = f"young_people[{i}]"
        if progress and i % 100 == 0:
            progress("checking", i, len(listed))
        if not c.obj(yp, path, YP_REQUIRED, YP_OPTIONAL):
            continue
        ref = c.text(yp, "ref", path, 50)
        if ref in seen:
            c.fail(f"{path}.ref", f"{ref!r} appears twice")
        seen.add(ref or "")
        pa = yp.get("pa")
        if not isinstance(pa, str) or pa not in known_staff_roles:
            c.fail(f"{path}.pa", f"no staff member with ref {pa!r}")
        elif known_staff_roles[pa] not in (Role.PA, None):
            c.fail(f"{path}.pa", f"{pa!r} is a {known_staff_roles[pa]}, not a pa")
        dob = c.date(yp.get("date_of_birth"), f"{path}.date_of_birth")
        allocated_on = c.date(yp.get("allocated_on"), f"{path}.allocated_on")
        if dob and dob > today:
            c.fail(f"{path}.date_of_birth", "is in the future")
        if dob and allocated_on and allocated_on < dob:
            c.fail(f"{path}.allocated_on", "is before date_of_birth")
        record = {
            "ref": ref,
            "name": c.text(yp, "name", path),
            "date_of_birth": dob,
            "legal_status": c.choice(yp, "legal_status", path, _VALUES[LegalStatus]),
            "pa": pa,
            "allocated_on": allocated_on,
            "circumstance": c.choice(yp, "circumstance", path, _VALUES[Circumstance]) or Circumstance.STANDARD,
            "extended_support": c.boolean(yp, "extended_support", path),
            "pa_service": c.boolean(yp, "pa_service", path, default=True),
            "uasc": c.boolean(yp, "uasc", path),
            "disability": c.boolean(yp, "disability", path),
            "sex": c.choice(yp, "sex", path, ["M", "F", "U"]) or "",
            "ethnicity": c.choice(yp, "ethnicity", path, list(codes.ETHNICITY)) or "",
            "upn": (c.text(yp, "upn", path, 13) or "") if "upn" in yp else "",
        }
        if record["upn"] and not upn_is_valid(record["upn"]):
            c.fail(f"{path}.upn", "not a UPN (a letter, 11 digits, a digit or letter) or a DfE code UN2-UN5")
        record["interval_days"] = _intervals(c, yp.get("interval_days"), f"{path}.interval_days")
        record["arrangement"] = _arrangement(c, yp.get("arrangement"), f"{path}.arrangement")
        record["legal_status_history"] = _legal_status_history(c, yp, path, record["legal_status"], dob)
        record["events"] = [
            {"kind": c.choice(e, "kind", f"{path}.events[{j}]", BUNDLE_EVENT_KINDS),
             "date": c.date(e.get("date"), f"{path}.events[{j}].date")}
            for j, e in enumerate(c.items(yp.get("events"), f"{path}.events"))
            if c.obj(e, f"{path}.events[{j}]", {"kind", "date"}, set())
        ]
        record["contacts"] = _contacts(c, yp.get("contacts"), f"{path}.contacts")
        record["pathway_reviews"] = sorted(
            {d for j, value in enumerate(c.items(yp.get("pathway_reviews"), f"{path}.pathway_reviews"))
             if (d := c.date(value, f"{path}.pathway_reviews[{j}]"))}
        )
        record["in_touch_checks"] = [
            {"date": c.date(k.get("date"), f"{path}.in_touch_checks[{j}].date"),
             "in_touch": c.choice(k, "in_touch", f"{path}.in_touch_checks[{j}]", list(codes.IN_TOUCH)),
             "activity": c.choice(k, "activity", f"{path}.in_touch_checks[{j}]", list(codes.ACTIVITY)),
             "accommodation": c.choice(k, "accommodation", f"{path}.in_touch_checks[{j}]", list(codes.ACCOMMODATION))}
            for j, k in enumerate(c.items(yp.get("in_touch_checks"), f"{path}.in_touch_checks"))
            if c.obj(k, f"{path}.in_touch_checks[{j}]", {"date", "in_touch", "activity", "accommodation"}, set())
        ]
        for j, k in enumerate(record["in_touch_checks"]):
            if k["in_touch"] and k["activity"] and k["accommodation"]:
                for key, message in check_problems(in_touch=k["in_touch"], activity=k["activity"],
                                                   accommodation=k["accommodation"]).items():
                    c.fail(f"{path}.in_touch_checks[{j}].{key}", message)
        check_dates = Counter(k["date"] for k in record["in_touch_checks"] if k["date"])
        for day in sorted(d for d, n in check_dates.items() if n > 1):
            c.fail(f"{path}.in_touch_checks", f"two checks on {day.isoformat()}")
        for j, contact in enumerate(record["contacts"]):
            if contact["date"] and contact["date"] > today:
                c.fail(f"{path}.contacts[{j}].date", "is in the future")
        record["case_record"] = validate_case_record(c, yp, path, dob=dob, today=today)  # issue 11, item 10
        young_people.append(record)

    if c.problems:
        raise BundleError(c.problems)
    out.update(teams=list(teams.values()), staff=list(staff.values()), absences=absences, young_people=young_people)
    return out


def _contacts(c: _Checker, value: Any, path: str) -> list[dict]:
    """The young person's contacts, normalised. Issue 16, item 4: a contact that is plainly valid (the great
    many) is read by `_valid_contact` without naming its paths; any other goes through the checker, which
    reports its problems exactly as before."""
    contacts = []
    for j, k in enumerate(c.items(value, path)):
        contact = _valid_contact(c, k)
        if contact is None:
            at = f"{path}[{j}]"
            if not c.obj(k, at, _CONTACT_REQUIRED, {"purpose"}):
                continue
            contact = {"date": c.date(k.get("date"), f"{at}.date"),
                       "method": c.choice(k, "method", at, _VALUES[Method]),
                       "with": c.choice(k, "with", at, _VALUES[With]),
                       "outcome": c.choice(k, "outcome", at, _VALUES[Outcome]),
                       "purpose": c.choice(k, "purpose", at, [Purpose.KIT_OFFER]) or ""}
        contacts.append(contact)
    return contacts


def _valid_contact(c: _Checker, k: Any) -> dict | None:
    """What the checker makes of contact `k` when it has no problem at all; None when it may have one."""
    if type(k) is not dict or not k.keys() <= _CONTACT_FIELDS:
        return None
    for key, allowed in _CONTACT_VOCABULARIES:
        if type(k.get(key)) is not str or k[key] not in allowed:
            return None
    day = c.known_date(k.get("date"))
    purpose = k.get("purpose")
    if day is None or purpose not in (None, "", Purpose.KIT_OFFER):
        return None
    if purpose == "":
        k["purpose"] = None  # as the checker's obj() does: an empty optional string is absent (CONTRACT v2, change 7)
    return {"date": day, "method": k["method"], "with": k["with"], "outcome": k["outcome"], "purpose": purpose or ""}


def _intervals(c: _Checker, value: Any, path: str) -> dict[str, int]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        c.fail(path, "must be an object of requirement code to days")
        return {}
    result = {}
    for code, days in value.items():
        if code not in RequirementCode.values:
            c.fail(f"{path}.{code}", f"{code!r} is not one of {', '.join(RequirementCode.values)}")
        elif isinstance(days, bool) or not isinstance(days, int) or not 0 < days <= MAX_INTERVAL_DAYS:
            c.fail(f"{path}.{code}", "must be a whole number of days from 1 to 3650")
        elif code == RequirementCode.PATHWAY_REVIEW and days > PATHWAY_REVIEW_DAYS:
            c.fail(f"{path}.{code}", f"must be at most {PATHWAY_REVIEW_DAYS} days: a pathway plan is reviewed at least "
                                     "every six months (reg 7)")
        else:
            result[code] = days
    return result


def _legal_status_history(c: _Checker, yp: dict, path: str, current: str | None, dob: dt.date | None) -> list[dict]:
    """`legal_status_history`: [{"status", "from"}], the status in force from each date; the newest must be
    `legal_status` (the current one)."""
    entries = []
    for j, item in enumerate(c.items(yp.get("legal_status_history"), f"{path}.legal_status_history")):
        at = f"{path}.legal_status_history[{j}]"
        if not c.obj(item, at, {"status", "from"}, set()):
            continue
        status = c.choice(item, "status", at, _VALUES[LegalStatus])
        start = c.date(item.get("from"), f"{at}.from")
        if start and dob and start < dob:
            c.fail(f"{at}.from", "is before date_of_birth")
        if status and start:
            entries.append({"status": status, "from": start, "path": at})
    days = Counter(e["from"] for e in entries)
    for day in sorted(d for d, n in days.items() if n > 1):
        c.fail(f"{path}.legal_status_history", f"two statuses from {day.isoformat()}")
    entries.sort(key=lambda e: e["from"])
    if entries and current and entries[-1]["status"] != current:
        c.fail(f"{entries[-1]['path']}.status", f"the newest status must be legal_status ({current!r})")
    return [{"status": e["status"], "from": e["from"]} for e in entries]


def _arrangement(c: _Checker, value: Any, path: str) -> dict | None:
    if value is None or not c.obj(value, path, {"kind", "active_from"}, set()):
        return None
    kind = c.choice(value, "kind", path, ArrangementKind.values)
    active_from = c.date(value.get("active_from"), f"{path}.active_from")
    return {"kind": kind, "active_from": active_from}


#: Young people applied per round of bulk queries: bounds memory (about 50 contacts each) and paces the progress bar.
CHUNK = 500
#: Rows per INSERT/UPDATE statement.
BATCH = 1000


def import_bundle(data: Any, *, update_staff: bool = False, progress: Callable[[str, int, int], None] | None = None,
                  shape_checked: bool = False) -> ImportSummary:
    """Validate and apply a bundle in one transaction; nothing is written unless everything is valid. An
    existing member of staff's role or team changes only with `update_staff` (`--update-staff`).

    Issue 16, item 4: young people are applied in chunks of CHUNK, each with one query per table to read
    what exists, compared in memory, then bulk_create / bulk_update (with their history rows) of only what
    is new or changed, and one set-based recompute at the end. `progress(phase, done, total)` is told as it goes.
    """
    with transaction.atomic():  # not the decorator, whose wrapper would keep `data` alive to the end
        bundle = validate_bundle(data, update_staff=update_staff, progress=progress, shape_checked=shape_checked)
        del data  # issue 16, item 4: the parsed JSON is not needed once checked (import_cases keeps no other reference)
        caseload_orders_lock()  # issue 16: before the first row lock (its recompute writes the summary); checks read
        return _apply_bundle(bundle, progress)


def _apply_bundle(bundle: dict, progress: Callable[[str, int, int], None] | None) -> ImportSummary:
    summary = ImportSummary()
    ensure_packs()
    activate = PolicyPack.objects.get(key=bundle["pack"])
    if not activate.is_active:
        pack_activate(pack=activate)

    for team in bundle["teams"]:
        _upsert(summary, "teams", Team, {"ref": team["ref"]}, {"name": team["name"]})
    teams = {t.ref: t for t in Team.objects.all()}
    User = get_user_model()
    on_record = {s.ref: s for s in Staff.objects.select_related("team").filter(ref__in=[p["ref"] for p in bundle["staff"]])}
    for person in bundle["staff"]:
        existing = on_record.get(person["ref"])
        values = {"name": person["name"], "role": person["role"], "team": teams.get(person["team"])}
        if existing is None:
            user, _ = User.objects.get_or_create(username=person["ref"], defaults={"first_name": person["name"][:150]})
            if not user.has_usable_password():
                user.set_unusable_password()
                user.save()
            Staff.objects.create(user=user, ref=person["ref"], **values)
            summary.created["staff"] += 1
        else:
            _update(summary, "staff", existing, values)
    staff = {s.ref: s for s in Staff.objects.all()}
    for absence in bundle["absences"]:
        _upsert(summary, "absences", PlannedAbsence,
                {"staff": staff[absence["staff"]], "start": absence["start"], "end": absence["end"]},
                {"reason": absence["reason"]})

    records = bundle["young_people"]
    touched: list[int] = []
    for start in range(0, len(records), CHUNK):
        touched.extend(_apply_young_people(summary, records[start:start + CHUNK], staff))
        if progress:
            progress("importing", min(start + CHUNK, len(records)), len(records))
    _analyze_loaded(summary)
    recompute(timezone.localdate(), touched)
    audit_record(kind=AuditKind.CASES_IMPORTED, pack=bundle["pack"], created=dict(summary.created),
                 updated=dict(summary.updated))
    return summary


#: The tables the recompute reads, by the summary's kind of record, and how many new rows make their planner
#: statistics worth refreshing before it runs.
_READ_BY_RECOMPUTE = {"young people": YoungPerson, "contacts": Contact, "pathway reviews": PathwayPlan,
                      "allocations": Allocation, "events": Event, "in-touch checks": InTouchCheck,
                      "interval overrides": IntervalOverride, "arrangements": Arrangement,
                      "legal status changes": LegalStatusChange}
ANALYZE_AFTER = 1000


def _analyze_loaded(summary: ImportSummary) -> None:
    """Issue 16, item 4: ANALYZE (PostgreSQL) the tables a bundle has just filled, inside the import's transaction,
    so the recompute that follows is planned for the rows now there rather than for the empty tables of a new
    service (without it, the recompute after a council's first import took 7.8 s instead of 0.7 s, and the next
    import's as long). Statistics only: no record changes, and an unchanged re-import analyzes nothing."""
    if connection.vendor != "postgresql":
        return
    tables = [model._meta.db_table for kind, model in _READ_BY_RECOMPUTE.items()
              if summary.created[kind] >= ANALYZE_AFTER]
    if tables:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(connection.ops.quote_name(t) for t in tables)}")


def _upsert(summary: ImportSummary, kind: str, model, lookup: dict, values: dict):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        summary.created[kind] += 1
        return model.objects.create(**lookup, **values)
    _update(summary, kind, obj, values)
    return obj


def _update(summary: ImportSummary, kind: str, obj, values: dict) -> None:
    changed = {k: v for k, v in values.items() if getattr(obj, k) != v}
    if changed:
        for key, value in changed.items():
            setattr(obj, key, value)
        obj.save()  # save(), not update(): the change is versioned
        summary.updated[kind] += 1


class _Writes:
    """New and changed rows of one chunk, per model, written in bulk with their history rows."""

    def __init__(self) -> None:
        self.new: dict[type, list] = defaultdict(list)
        self.changed: dict[type, dict[int, Any]] = defaultdict(dict)
        self.fields: dict[type, set[str]] = defaultdict(set)
        self.rows: dict[type, list[dict[str, Any]]] = defaultdict(list)

    def create(self, summary: ImportSummary, kind: str, obj) -> None:
        self.new[type(obj)].append(obj)
        summary.created[kind] += 1

    def create_row(self, summary: ImportSummary, kind: str, model, row: dict[str, Any]) -> None:
        """A new record as its values, by attname (issue 16, item 4: no model instance for each of 250 000)."""
        self.rows[model].append(row)
        summary.created[kind] += 1

    def update(self, summary: ImportSummary, kind: str, obj, values: dict) -> bool:
        """Set what differs on `obj` (queued for one bulk_update); True when anything did."""
        changed = [k for k, v in values.items() if getattr(obj, k) != v]
        for key in changed:
            setattr(obj, key, values[key])
        if changed:
            if kind and id(obj) not in self.changed[type(obj)]:
                summary.updated[kind] += 1
            self.changed[type(obj)][id(obj)] = obj
            self.fields[type(obj)].update(changed)
        return bool(changed)

    def flush(self, model) -> None:
        # Changes first: a new PA's allocation is written after the open one is closed (one_open_allocation).
        if self.changed.get(model):
            # versioned as save() would be: one history row per changed record
            names = sorted({model._meta.get_field(name).name for name in self.fields.pop(model)})  # pa_id: pa
            bulk_update_with_history(list(self.changed.pop(model).values()), model, names, batch_size=BATCH)
        if self.new.get(model):
            create_with_history(model, self.new.pop(model), batch_size=BATCH)
        if self.rows.get(model):
            create_rows_with_history(model, self.rows.pop(model), batch_size=BATCH)


def _among(ids: list[int]) -> list[int] | RawSQL:
    """The right-hand side of `young_person_id__in` for a chunk's ids: on PostgreSQL one array parameter
    rather than 500 placeholders in each of the chunk's reads for the driver to split and the server to parse."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [ids])
    return ids


def _first_by_person(queryset, ordering: list[str]) -> dict[int, Any]:
    """The first row per young person in `ordering` (what `.first()` on each one's rows would give)."""
    first: dict[int, Any] = {}
    for row in queryset.order_by("young_person_id", *ordering):
        first.setdefault(row.young_person_id, row)
    return first


def _by_person(queryset) -> dict[int, list]:
    rows = defaultdict(list)
    for row in queryset:
        rows[row.young_person_id].append(row)
    return rows


_YP_FIELDS = ("name", "date_of_birth", "legal_status", "allocated_on", "circumstance", "extended_support",
              "uasc", "disability", "sex", "ethnicity", "upn", "pa_service")


def _apply_young_people(summary: ImportSummary, records: list[dict], staff: dict[str, Staff]) -> list[int]:  # noqa: C901, PLR0912, PLR0915
    """One chunk of young people: read what exists with one query per table, write only what differs."""
    today = timezone.localdate()
    writes = _Writes()
    stored = {yp.ref: yp for yp in YoungPerson.objects.filter(ref__in=[r["ref"] for r in records])}
    for record in records:
        fields: dict[str, Any] = {k: record[k] for k in _YP_FIELDS}
        # V3: a bundle's standard arrangement says when the standard pattern began or resumed.
        arrangement = record["arrangement"]
        fields["standard_pattern_from"] = (
            arrangement["active_from"] if arrangement and arrangement["kind"] == ArrangementKind.STANDARD else None)
        fields["pa_id"] = staff[record["pa"]].pk
        yp = stored.get(record["ref"])
        if yp is None:
            yp = stored[record["ref"]] = YoungPerson(ref=record["ref"], **fields)
            yp.set_birthdays()  # what YoungPerson.save() derives
            writes.create(summary, "young people", yp)
        elif writes.update(summary, "young people", yp, fields):
            yp.set_birthdays()
            writes.fields[YoungPerson].update(service_birthdays(yp.date_of_birth))
    writes.flush(YoungPerson)
    people = [stored[r["ref"]] for r in records]
    ids = [yp.pk for yp in people]
    among = _among(ids)

    allocations = _first_by_person(Allocation.objects.filter(young_person_id__in=among, end__isnull=True),
                                   [*Allocation._meta.ordering, "-pk"])
    overrides = _by_person(IntervalOverride.objects.filter(young_person_id__in=among))
    active_arrangements = _first_by_person(
        Arrangement.objects.filter(young_person_id__in=among, state=ArrangementState.ACTIVE),
        list(Arrangement._meta.ordering))
    status_changes = _by_person(LegalStatusChange.objects.filter(young_person_id__in=among))
    events = set(Event.objects.filter(young_person_id__in=among, voided_at__isnull=True)
                 .values_list("young_person_id", "kind", "date"))
    contacts: dict[tuple, list] = defaultdict(list)
    for cid, yp_id, day, method, with_whom, outcome, purpose in (
            Contact.objects.filter(young_person_id__in=among, voided_at__isnull=True).order_by("id")
            .values_list("id", "young_person_id", "date", "method", "with_whom", "outcome", "purpose")):
        contacts[(yp_id, day, method, with_whom)].append((cid, outcome, purpose))
    reviewed = set(PathwayPlan.objects.filter(young_person_id__in=among, state=PlanState.SIGNED_OFF)
                   .values_list("young_person_id", "review_date"))
    versions = dict(PathwayPlan.objects.filter(young_person_id__in=among).values("young_person_id")
                    .annotate(top=Max("version")).values_list("young_person_id", "top"))
    checks = {(c.young_person_id, c.date): c for c in InTouchCheck.objects.filter(young_person_id__in=among)}

    contact_changes: dict[int, dict] = {}
    for yp, record in zip(people, records, strict=True):
        pa_id = yp.pa_id
        allocation = allocations.get(yp.pk)
        if allocation is None or allocation.pa_id != pa_id:
            start = record["allocated_on"]
            if allocation is not None:
                start = max(allocation.start, today)
                writes.update(summary, "", allocation, {"end": start})  # not counted: the new allocation is
            writes.create(summary, "allocations", Allocation(young_person=yp, pa_id=pa_id, start=start,
                                                             reason="Imported from case bundle"))

        by_code = {o.requirement: o for o in overrides.get(yp.pk, [])}
        for code, days in record["interval_days"].items():
            if code in by_code:
                writes.update(summary, "interval overrides", by_code[code], {"interval_days": days})
            else:
                writes.create(summary, "interval overrides",
                              IntervalOverride(young_person=yp, requirement=code, interval_days=days))
        for code, override in by_code.items():
            if code not in record["interval_days"]:
                override.delete()  # the deletion is kept in the override's history
                summary.updated["interval overrides"] += 1

        _apply_arrangement(summary, yp, record["arrangement"], active_arrangements.get(yp.pk))

        stored_status = {row.from_date: row for row in status_changes.get(yp.pk, [])}
        for entry in record["legal_status_history"]:
            row = stored_status.get(entry["from"])
            if row is None:
                writes.create(summary, "legal status changes", LegalStatusChange(
                    young_person=yp, status=entry["status"], from_date=entry["from"],
                    reason="Imported from a case bundle"))
            else:
                writes.update(summary, "legal status changes", row, {"status": entry["status"]})

        for event in record["events"]:
            key = (yp.pk, event["kind"], event["date"])
            if key not in events:
                events.add(key)
                writes.create(summary, "events", Event(young_person=yp, notes="Imported from case bundle", **event))

        pk = yp.pk
        for item in record["contacts"]:  # issue 16, item 4: 250 000 for a council, so no more than this per contact
            matches = contacts.get((pk, item["date"], item["method"], item["with"]))
            if matches:
                cid, outcome, purpose = matches.pop(0)
                if outcome != item["outcome"] or purpose != item["purpose"]:
                    contact_changes[cid] = {"outcome": item["outcome"], "purpose": item["purpose"]}
            else:
                writes.create_row(summary, "contacts", Contact, {
                    "young_person_id": pk, "date": item["date"], "method": item["method"], "with_whom": item["with"],
                    "note": "Imported from case bundle", "outcome": item["outcome"], "purpose": item["purpose"]})

        next_version = (versions.get(yp.pk) or 0) + 1
        for review_date in record["pathway_reviews"]:
            if (yp.pk, review_date) not in reviewed:
                writes.create(summary, "pathway reviews", PathwayPlan(
                    young_person=yp, version=next_version, state=PlanState.SIGNED_OFF, review_date=review_date,
                    imported=True))
                next_version += 1

        for check in record["in_touch_checks"]:
            values = {k: check[k] for k in ("in_touch", "activity", "accommodation")}
            found = checks.get((yp.pk, check["date"]))
            if found is None:
                writes.create(summary, "in-touch checks", InTouchCheck(young_person=yp, date=check["date"], **values))
            else:
                writes.update(summary, "in-touch checks", found, values)

    for contact in Contact.objects.filter(pk__in=list(contact_changes)):  # full rows: the history row copies them
        writes.update(summary, "contacts", contact, contact_changes[contact.pk])
    for model in (Allocation, IntervalOverride, LegalStatusChange, Event, Contact, PathwayPlan, InTouchCheck):
        writes.flush(model)
    for yp, record in zip(people, records, strict=True):  # issue 11, item 10: only what the bundle names
        apply_case_record(summary, yp, record["case_record"], today=today)
    return ids


def _apply_arrangement(summary: ImportSummary, yp: YoungPerson, wanted: dict | None, active: Arrangement | None) -> None:
    """`active`: the young person's active arrangement (read for the whole chunk by one query)."""
    if wanted and wanted["kind"] == ArrangementKind.STANDARD:
        # The standard pattern is no arrangement row: an arrangement on record ended when it resumed.
        if active is None:
            return
        wanted, resumed = None, wanted["active_from"]
    else:
        resumed = None
    if active and wanted and (active.kind, active.active_from) == (wanted["kind"], wanted["active_from"]):
        return
    today = timezone.localdate()
    if active:
        end = wanted["active_from"] if wanted else (resumed or today)
        active.state = ArrangementState.ENDED
        active.ended_on = max(end, active.active_from)
        active.end_reason = "Replaced by a case bundle import"
        active.save()
        ArrangementDecision.objects.create(
            arrangement=active, step=Step.END, decision=Decision.ENDED, rationale=active.end_reason)
        summary.updated["arrangements"] += 1
    if wanted:
        arrangement = Arrangement.objects.create(
            young_person=yp, kind=wanted["kind"], state=ArrangementState.ACTIVE,
            active_from=wanted["active_from"], imported=True,
        )
        ArrangementDecision.objects.create(
            arrangement=arrangement, step=Step.REQUEST, decision=Decision.AGREED,
            rationale="Approved arrangement imported from a case bundle",
        )
        summary.created["arrangements"] += 1
