"""Issue 11, item 10: the case record's optional additions to a young person in a case bundle.

`details` (contact details and identity), `addresses`, `professionals`, `accommodation_history`,
`activity_history` and `flags` are optional: a bundle without them imports exactly as before, and nothing
on record is touched for a young person whose bundle entry leaves them out. Validation reports every problem
with its JSON path (through the bundle's checker, `c`); applying is idempotent: periods match by young person
and `from`, professionals by role and name, flags by kind and `from`. The history of what the bundle names is
taken as given: it states its own `circumstance` and `events`, so no move raises an event here; the derived
fields (address, accommodation, vulnerable) follow the histories as they do in the services.
"""

import datetime as dt
from itertools import pairwise
from typing import Any

from careleavers.codes import ACCOMMODATION_TYPES, ACTIVITY, ALWAYS_UNSUITABLE, STAYING_PUT
from careleavers.models import (
    ACCOMMODATION_KIND,
    VULNERABILITY_FLAGS,
    AccommodationPeriod,
    ActivityPeriod,
    AddressPeriod,
    ContactPreference,
    Flag,
    FlagKind,
    KeyProfessional,
    ProfessionalRole,
    YoungPerson,
)
from careleavers.services import ni_number_is_valid, ni_number_normalised

#: The keys a young person may carry beside the contract's (the bundle's YP_OPTIONAL adds them).
CASE_RECORD_KEYS = {"details", "addresses", "professionals", "accommodation_history", "activity_history", "flags"}
_TEXT_DETAILS = {"phone": 40, "email": 254, "first_language": 100, "religion": 100, "immigration_status": 200,
                 "uasc_details": 2000}
_IMPORTED = "Imported from a case bundle"


def validate_case_record(c: Any, yp: dict, path: str, *, dob: dt.date | None, today: dt.date) -> dict:
    """The young person's case record additions, normalised; problems go to the checker `c`."""
    return {
        "details": _details(c, yp.get("details"), f"{path}.details"),
        "addresses": _periods(c, yp, "addresses", path, dob=dob, today=today, required={"address"}, optional=set(),
                              read=lambda item, at: {"address": c.text(item, "address", at, 1000)}),
        "professionals": _professionals(c, yp, path),
        "accommodation_history": _periods(
            c, yp, "accommodation_history", path, dob=dob, today=today, required={"type"},
            optional={"address", "provider", "council_provided", "staying_put", "suitable", "unsuitable_reason"},
            read=lambda item, at: _accommodation(c, item, at)),
        "activity_history": _periods(
            c, yp, "activity_history", path, dob=dob, today=today, required={"activity"}, optional={"provider"},
            read=lambda item, at: {"code": c.choice(item, "activity", at, [k for k in ACTIVITY if k != "0"]),
                                   "provider": c.text(item, "provider", at) or ""}),
        "flags": _flags(c, yp, path, dob=dob, today=today),
    }


def _details(c: Any, value: Any, path: str) -> dict | None:
    if value is None or not c.obj(value, path, set(), {*_TEXT_DETAILS, "preferred_contact", "ni_number",
                                                         "interpreter_needed"}):
        return None
    out: dict[str, Any] = {key: c.text(value, key, path, size) or "" for key, size in _TEXT_DETAILS.items() if key in value}
    if "preferred_contact" in value:
        out["preferred_contact"] = c.choice(value, "preferred_contact", path, ContactPreference.values) or ""
    if "interpreter_needed" in value:
        out["interpreter_needed"] = c.boolean(value, "interpreter_needed", path)
    if value.get("ni_number") is not None:
        number = c.text(value, "ni_number", path, 13) or ""
        if number and not ni_number_is_valid(number):
            c.fail(f"{path}.ni_number", "not an NI number (two letters, six digits, A-D)")
        out["ni_number"] = ni_number_normalised(number)
    return out


def _periods(c: Any, yp: dict, key: str, path: str, *, dob, today, required: set, optional: set, read) -> list[dict] | None:
    if yp.get(key) is None:
        return None
    periods = []
    for j, item in enumerate(c.items(yp.get(key), f"{path}.{key}")):
        at = f"{path}.{key}[{j}]"
        if not c.obj(item, at, {"from", *required}, {"to", *optional}):
            continue
        start, end = c.date(item.get("from"), f"{at}.from"), c.date(item.get("to"), f"{at}.to")
        if start and start > today:
            c.fail(f"{at}.from", "is in the future")
        if start and dob and start < dob:
            c.fail(f"{at}.from", "is before date_of_birth")
        if start and end and end <= start:
            c.fail(f"{at}.to", "must be after from")
        if end and end > today:
            c.fail(f"{at}.to", "is in the future")
        periods.append({"start": start, "end": end, "path": at, **read(item, at)})
    dated = sorted((p for p in periods if p["start"]), key=lambda p: p["start"])
    for before, after in pairwise(dated):
        if before["end"] is None or before["end"] > after["start"]:
            c.fail(f"{after['path']}.from", f"overlaps the period from {before['start'].isoformat()} "
                                            "(periods cannot overlap; give the earlier one a `to`)")
    return periods


def _accommodation(c: Any, item: dict, at: str) -> dict:
    code = c.choice(item, "type", at, list(ACCOMMODATION_TYPES))
    suitable = c.boolean(item, "suitable", at, default=code not in ALWAYS_UNSUITABLE)
    reason = c.text(item, "unsuitable_reason", at, 2000) or ""
    staying_put = c.boolean(item, "staying_put", at)
    if code in ALWAYS_UNSUITABLE and suitable:
        c.fail(f"{at}.suitable", f"type {code} is always unsuitable (DfE 903 rule 133)")
    if not suitable and not reason:
        c.fail(f"{at}.unsuitable_reason", "is required when suitable is false")
    if staying_put and code and code != STAYING_PUT:
        c.fail(f"{at}.staying_put", f"staying put is type {STAYING_PUT} (with former foster carers)")
    return {"code": code, "suitable": suitable, "unsuitable_reason": "" if suitable else reason,
            "staying_put": staying_put, "council_provided": c.boolean(item, "council_provided", at),
            "address": c.text(item, "address", at, 1000) or "", "provider": c.text(item, "provider", at) or ""}


def _professionals(c: Any, yp: dict, path: str) -> list[dict] | None:
    if yp.get("professionals") is None:
        return None
    out = []
    for j, item in enumerate(c.items(yp.get("professionals"), f"{path}.professionals")):
        at = f"{path}.professionals[{j}]"
        if c.obj(item, at, {"role", "name"}, {"organisation", "phone", "email", "notes"}):
            out.append({"role": c.choice(item, "role", at, ProfessionalRole.values), "name": c.text(item, "name", at),
                        **{k: c.text(item, k, at, 500 if k == "notes" else 200) or ""
                           for k in ("organisation", "phone", "email", "notes")}})
    return out


def _flags(c: Any, yp: dict, path: str, *, dob, today) -> list[dict] | None:
    if yp.get("flags") is None:
        return None
    out = []
    for j, item in enumerate(c.items(yp.get("flags"), f"{path}.flags")):
        at = f"{path}.flags[{j}]"
        if not c.obj(item, at, {"kind", "from", "reason"}, {"cleared", "clear_reason"}):
            continue
        start, cleared = c.date(item.get("from"), f"{at}.from"), c.date(item.get("cleared"), f"{at}.cleared")
        if start and start > today:
            c.fail(f"{at}.from", "is in the future")
        if start and cleared and cleared < start:
            c.fail(f"{at}.cleared", "is before from")
        if cleared and cleared > today:
            c.fail(f"{at}.cleared", "is in the future")
        out.append({"kind": c.choice(item, "kind", at, FlagKind.values), "set_on": start, "cleared_on": cleared,
                    "reason": c.text(item, "reason", at, 2000), "clear_reason": c.text(item, "clear_reason", at, 2000) or "",
                    "path": at})
    active = [f["kind"] for f in out if f["kind"] and not f["cleared_on"]]
    for kind in sorted({k for k in active if active.count(k) > 1}):
        c.fail(f"{path}.flags", f"two active {kind!r} flags")
    return out


def apply_case_record(summary: Any, yp: YoungPerson, record: dict, *, today: dt.date) -> None:
    """Write what the bundle names (idempotent: a second import changes nothing), then the derived fields."""
    if record["details"]:
        _save_changed(summary, "young people", yp, record["details"])
    _sync_periods(summary, "addresses", AddressPeriod, yp, record["addresses"], fields=("address",))
    _sync_periods(summary, "accommodation periods", AccommodationPeriod, yp, record["accommodation_history"],
                  fields=("code", "address", "provider", "council_provided", "staying_put", "suitable",
                          "unsuitable_reason"))
    _sync_periods(summary, "activity periods", ActivityPeriod, yp, record["activity_history"], fields=("code", "provider"))
    for item in record["professionals"] or []:
        _upsert(summary, "key professionals", KeyProfessional, {"young_person": yp, "role": item["role"], "name": item["name"]},
                {k: item[k] for k in ("organisation", "phone", "email", "notes")})
    for item in record["flags"] or []:
        _upsert(summary, "flags", Flag, {"young_person": yp, "kind": item["kind"], "set_on": item["set_on"]},
                {"reason": item["reason"], "cleared_on": item["cleared_on"], "clear_reason": item["clear_reason"]})
    _derive(yp, record, today=today)


def _save_changed(summary: Any, kind: str, obj, values: dict) -> None:
    changed = {k: v for k, v in values.items() if getattr(obj, k) != v}
    if changed:
        for key, value in changed.items():
            setattr(obj, key, value)
        obj.save()  # save(), not update(): the change is versioned
        summary.updated[kind] += 1


def _upsert(summary: Any, kind: str, model, lookup: dict, values: dict) -> None:
    found = model.objects.filter(**lookup).first()
    if found is None:
        model.objects.create(**lookup, **values)
        summary.created[kind] += 1
    else:
        _save_changed(summary, kind, found, values)


def _sync_periods(summary: Any, kind: str, model, yp: YoungPerson, periods: list[dict] | None, *, fields: tuple) -> None:
    """Match by `from`; a period the bundle does not name is kept (nothing is deleted)."""
    if periods is None:
        return
    stored = {p.start: p for p in model.objects.filter(young_person=yp)}
    for item in periods:
        values = {"end": item["end"], **{f: item[f] for f in fields}}
        found = stored.get(item["start"])
        if found is None:
            model.objects.create(young_person=yp, start=item["start"], **values)
            summary.created[kind] += 1
        else:
            _save_changed(summary, kind, found, values)


def _derive(yp: YoungPerson, record: dict, *, today: dt.date) -> None:
    """YoungPerson.address, .accommodation and .vulnerable follow the histories the bundle gave."""
    values: dict[str, Any] = {}
    if record["addresses"] is not None:
        current = yp.addresses.filter(end__isnull=True).first()
        values["address"] = current.address if current else yp.address
    if record["accommodation_history"] is not None:
        now = yp.accommodation_periods.filter(start__lte=today, end__isnull=True).order_by("-start").first()
        values["accommodation"] = ACCOMMODATION_KIND[now.code] if now else yp.accommodation
    if record["flags"] is not None:
        values["vulnerable"] = yp.flags.filter(kind__in=VULNERABILITY_FLAGS, cleared_on__isnull=True).exists()
    changed = {k: v for k, v in values.items() if getattr(yp, k) != v}
    if changed:
        for key, value in changed.items():
            setattr(yp, key, value)
        yp.save()
