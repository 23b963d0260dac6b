"""Policy packs: one council's rules as a versioned data file (compliance/pack_data/<key>.json),
checked against compliance/pack_data/pack.schema.json and loaded into the database by a migration
and by `manage.py pack_load`. The engine reads only the tables, never the files.

A file lists requirement rows per (arrangement, circumstance); `"circumstance": "*"` stands for every
circumstance without a row of its own for that requirement, and `"applies": false` says a requirement
does not apply in a circumstance (T5: no visit for a student of 21 and over in Tower Hamlets). Each row
says what meets it (`meets`, else the pack's default for its requirement), and whether it is the law or
the council's practice (`basis`). Every edit of a pack in the database is kept in its history.
"""

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from careleavers.models import Circumstance
from core.errors import ServiceError

from .models import PackEvent, PackRequirement, PolicyPack

PACK_DIR = Path(__file__).resolve().parent / "pack_data"
SCHEMA_FILE = PACK_DIR / "pack.schema.json"
PATHWAY_REVIEW_DAYS = 182  # reg 7: at least every six months; no pack, override or import goes past it
DEFAULT_PACK = "england"
SETTINGS = ("escalation_attempts", "different_needs_to_21_and_1_month", "plan_with_team_leader_days",
            "pathway_review_due_soon_days", "contact_due_soon_days", "allocation_days",
            "plan_shared_within_days")


class PackFileError(ValueError):
    """A pack file that does not match the schema or breaks a statutory floor; `problems` lists each."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{path.name}: " + "; ".join(problems))


@dataclass(frozen=True)
class PackData:
    key: str
    name: str
    version: int
    settings: dict[str, Any]
    requirements: list[dict[str, Any]]  # one per (arrangement, circumstance, requirement), "*" expanded
    events: list[dict[str, Any]]
    #: E1, E2, T3: [{"circumstance", "steps": [{"step", "rule", "vulnerable"?}]}], as in the file.
    escalation_ladder: list[dict[str, Any]] = field(default_factory=list)
    #: Issue 11, item 3: {"first_provided_event", "move_event", "leaving_circumstance", "types": [...]}, as in the file.
    accommodation_moves: dict[str, Any] = field(default_factory=dict)


@cache
def _schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text())


def pack_files() -> list[Path]:
    return sorted(p for p in PACK_DIR.glob("*.json") if p != SCHEMA_FILE)


def _join(values: list[str] | None) -> str:
    return ",".join(values or [])


def read_pack(path: Path) -> PackData:  # noqa: C901, PLR0912  (checks, then expansion, in the order a reader follows)
    """Parse, check against the schema and the statute, and expand a pack file."""
    try:
        doc = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise PackFileError(path, [f"not JSON: {exc}"]) from exc
    validator = jsonschema.Draft202012Validator(_schema())
    problems = [f"{'/'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message}"
                for error in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))]
    if problems:
        raise PackFileError(path, problems)
    if doc["key"] != path.stem:
        raise PackFileError(path, [f"key: {doc['key']!r} must match the file name {path.stem!r}"])

    explicit: dict[tuple[str, str, str], dict] = {}
    wildcard: dict[tuple[str, str], dict] = {}
    for i, row in enumerate(doc["requirements"]):
        key = (row["arrangement"], row["circumstance"], row["requirement"])
        if key in explicit or (row["circumstance"] == "*" and key[::2] in wildcard):
            problems.append(f"requirements/{i}: a second row for {key}")
        if row["requirement"] == "pathway_review" and row.get("interval_days", 0) > PATHWAY_REVIEW_DAYS:
            problems.append(f"requirements/{i}/interval_days: must be at most {PATHWAY_REVIEW_DAYS} days (reg 7)")
        if row.get("applies", True) and row["trigger"] == "interval" and "interval_days" not in row:
            problems.append(f"requirements/{i}: an interval row needs interval_days")
        if row["circumstance"] == "*":
            wildcard[(row["arrangement"], row["requirement"])] = row
        else:
            explicit[key] = row
    moves = doc["accommodation_moves"]
    listed = [t["code"] for t in moves["types"]]
    problems += [f"accommodation_moves/types: a second row for {c!r}" for c in sorted({c for c in listed if listed.count(c) > 1})]
    ladders = [ladder["circumstance"] for ladder in doc["escalation_ladder"]]
    problems += [f"escalation_ladder: a second ladder for {c!r}" for c in sorted({c for c in ladders if ladders.count(c) > 1})]
    if "*" not in ladders:
        problems.append("escalation_ladder: a ladder for '*' (every other circumstance) is needed")
    if problems:
        raise PackFileError(path, problems)

    rows = []
    arrangements = sorted({r["arrangement"] for r in doc["requirements"]})
    for arrangement in arrangements:
        codes = sorted({r["requirement"] for r in doc["requirements"] if r["arrangement"] == arrangement})
        for circumstance in Circumstance.values:
            for code in codes:
                row = explicit.get((arrangement, circumstance, code)) or wildcard.get((arrangement, code))
                if row is None or not row.get("applies", True):
                    continue
                meets = {**doc["meets"][code], **row.get("meets", {})}
                rows.append({
                    "arrangement_kind": arrangement,
                    "circumstance": circumstance,
                    "requirement": code,
                    "trigger": row["trigger"],
                    "interval_days": row.get("interval_days"),
                    "due_soon_days": row["due_soon_days"],
                    "met_by": meets.get("met_by", "contact"),
                    "methods": _join(meets.get("methods")),
                    "with_whom": _join(meets.get("with")),
                    "outcomes": _join(meets.get("outcomes")),
                    "keeping_in_touch_offer": meets.get("keeping_in_touch_offer", False),
                    "rule": row["rule"],
                    "basis": row["basis"],
                })
    events = [{"event_kind": e["event"], "requirement": e["requirement"], "window_days": e["window_days"],
               "rule": e["rule"], "basis": e["basis"]} for e in doc["events"]]
    return PackData(key=doc["key"], name=doc["name"], version=doc["version"],
                    settings={k: doc["settings"][k] for k in SETTINGS}, requirements=rows, events=events,
                    escalation_ladder=doc["escalation_ladder"],
                    accommodation_moves={k: v for k, v in moves.items() if k != "description"})


#: The packs of CONTRACT.md in its order; a new council's file is a data change and comes after them.
CONTRACT_PACKS = ("england", "pcc", "tct2", "buckinghamshire", "tower_hamlets", "derbyshire")


@cache
def pack_keys() -> tuple[str, ...]:
    found = [p.stem for p in pack_files()]
    return tuple(sorted(found, key=lambda k: (CONTRACT_PACKS.index(k) if k in CONTRACT_PACKS else len(CONTRACT_PACKS), k)))


def load_pack(data: PackData, *, models=None, overwrite: bool = True) -> tuple[Any, bool]:
    """Make the database's pack `data.key` match the file (overwrite) or create it if missing.
    `models` lets a migration pass its historical models; rows are saved one by one so that each
    change is kept in the pack's history. Returns (pack, changed)."""
    pack_model, requirement_model, event_model = models or (PolicyPack, PackRequirement, PackEvent)
    pack = pack_model.objects.filter(key=data.key).first()
    if pack is not None and not overwrite:
        return pack, False
    changed = pack is None
    if pack is None:
        pack = pack_model(key=data.key)
    wanted = {"name": data.name, "version": data.version, **data.settings, "escalation_ladder": data.escalation_ladder,
              "accommodation_moves": data.accommodation_moves}
    # An earlier migration's historical model has only the columns of its day (0004 predates the ladder).
    columns = {f.name for f in pack_model._meta.concrete_fields}
    wanted = {k: v for k, v in wanted.items() if k in columns}
    if changed or any(getattr(pack, k) != v for k, v in wanted.items()):
        for k, v in wanted.items():
            setattr(pack, k, v)
        pack.save()
        changed = True
    changed |= _sync(requirement_model, pack, data.requirements, ("arrangement_kind", "circumstance", "requirement"))
    changed |= _sync(event_model, pack, data.events, ("event_kind", "requirement"))
    return pack, changed


def _sync(model, pack, rows: list[dict], key_fields: tuple[str, ...]) -> bool:
    stored = {tuple(getattr(obj, f) for f in key_fields): obj for obj in model.objects.filter(pack=pack)}
    if not stored and rows and hasattr(model, "history"):
        # A pack new to the database (after a test flush, or a council's new file): its rows and their "+" history
        # rows in a few statements rather than two per row (a migration's historical models have no history manager
        # and keep the row-by-row path). Issue 16: the suite's transactional tests load every pack after each flush.
        bulk_create_with_history([model(pack=pack, **row) for row in rows], model)
        return True
    changed = False
    for row in rows:
        key = tuple(row[f] for f in key_fields)
        obj = stored.pop(key, None)
        if obj is None:
            model.objects.create(pack=pack, **row)
            changed = True
        elif any(getattr(obj, k) != v for k, v in row.items()):
            for k, v in row.items():
                setattr(obj, k, v)
            obj.save()
            changed = True
    for obj in stored.values():  # a row the file no longer has (its history keeps it)
        obj.delete()
        changed = True
    return changed


@transaction.atomic
def ensure_packs(*, models=None) -> None:
    """Every pack file present in the database (created if missing; what is there is left alone), and
    one pack active (the default) when none is."""
    pack_model = (models or (PolicyPack,))[0]
    for path in pack_files():
        load_pack(read_pack(path), models=models, overwrite=False)
    if not pack_model.objects.filter(is_active=True).exists():
        pack_model.objects.filter(key=DEFAULT_PACK).update(is_active=True)


class NoActivePack(ServiceError):
    """No policy pack is active: the rules are unknown, so nothing is computed with made-up ones."""


def active_pack() -> PolicyPack:
    """The one way to read the service's active policy pack; fails loudly when none is active."""
    pack = PolicyPack.objects.filter(is_active=True).first()
    if pack is None:
        raise NoActivePack("No policy pack is active: an administrator must choose one.")
    return pack


def ensure_packs_after_migrate(**kwargs) -> None:
    ensure_packs()
