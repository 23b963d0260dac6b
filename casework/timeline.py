"""A young person's timeline: contacts, events, escalation steps, case notes, plans and
arrangements, newest first.

One query per kind of record, however long the history (six in all).
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from approvals.models import Arrangement
from careleavers.models import CaseNoteKind, Staff, YoungPerson
from contacts.models import Contact, Escalation
from pathway.models import PathwayPlan


@dataclass(frozen=True)
class Entry:
    on: dt.date
    kind: str  # contact, event, escalation, note, plan, arrangement
    title: str
    detail: str
    obj: object
    by: str = ""
    voided: bool = False

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


KIND_LABELS = {
    "contact": "Contact",
    "event": "Event",
    "escalation": "Escalation",
    "note": "Case note",
    "plan": "Pathway plan",
    "arrangement": "Arrangement",
}


def _name(staff) -> str:
    return staff.name if staff is not None else ""


def timeline_for(young_person: YoungPerson, limit: int = 200) -> list[Entry]:
    entries: list[Entry] = []
    contacts = Contact.objects.filter(young_person=young_person).select_related("recorded_by", "visit_check")
    for c in contacts[:limit]:
        title = f"{c.get_method_display()} with {c.get_with_whom_display().lower()}: {c.get_outcome_display().lower()}"
        if c.purpose:
            title += f" ({c.get_purpose_display()})"
        if c.voided_at:
            title += " (recorded in error)"
        entries.append(Entry(c.date, "contact", title, c.note, c, _name(c.recorded_by), bool(c.voided_at)))
    for e in young_person.events.select_related("recorded_by")[:limit]:
        entries.append(Entry(e.date, "event", e.get_kind_display(), e.notes, e, _name(e.recorded_by), bool(e.voided_at)))
    for x in Escalation.objects.filter(young_person=young_person).select_related("recorded_by")[:limit]:
        entries.append(Entry(x.date, "escalation", x.get_step_display(), x.note, x, _name(x.recorded_by)))
    for p in PathwayPlan.objects.filter(young_person=young_person)[:limit]:
        on = p.review_date or p.created_at.date()
        entries.append(Entry(on, "plan", f"{p.get_kind_display()} v{p.version}: {p.get_state_display()}", "", p))
    for a in Arrangement.objects.filter(young_person=young_person)[:limit]:
        on = a.active_from or a.requested_at.date()
        entries.append(Entry(on, "arrangement", f"{a.get_kind_display()}: {a.get_state_display()}", "", a))
    # Escalation steps are shown from their own rows above; their case notes would repeat them.
    notes = young_person.case_notes.exclude(kind=CaseNoteKind.ESCALATION).select_related("author")
    for n in notes[:limit]:
        entries.append(Entry(timezone.localdate(n.created_at), "note", n.subject, n.text, n, _name(n.author)))
    entries.sort(key=lambda e: e.on, reverse=True)
    return entries[:limit]


@dataclass(frozen=True)
class Version:
    at: dt.datetime
    record: str
    action: str
    by: str
    changes: list[tuple[str, str, str]]  # (field, before, after)


_ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}
_SKIP = {"id", "history_id", "history_date", "history_change_reason", "history_type", "history_user", "created_at"}


def _display(record, field, names: dict[int, str]) -> str:
    value = getattr(record, field.attname)
    if value in (None, ""):
        return "—"
    if field.is_relation:
        return names.get(value, f"#{value}") if field.related_model is Staff else f"#{value}"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return f"{value.day} {value:%b %Y}"
    return str(value)


def _versions(records, label, names: dict[int, str]) -> list[Version]:
    """Each historical record with the fields that changed since the one before (no query per record)."""
    versions = []
    previous: dict[int, object] = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        fields = [f for f in record.instance_type._meta.concrete_fields if f.attname not in _SKIP and f.name not in _SKIP]
        before = previous.get(record.id)
        changes = []
        for field in fields:
            after_value = _display(record, field, names)
            before_value = _display(before, field, names) if before is not None else "—"
            if before is None and after_value == "—":
                continue
            if before_value != after_value:
                changes.append((str(field.verbose_name), before_value, after_value))
        user = record.history_user
        by = getattr(getattr(user, "staff", None), "name", "") or (user.get_username() if user else "System")
        versions.append(Version(record.history_date, label(record), _ACTIONS.get(record.history_type, "Changed"), by, changes))
        previous[record.id] = record
    return versions


def history_for(young_person: YoungPerson, limit: int = 500) -> list[Version]:
    """The record's versions (django-simple-history): the young person and their contacts, newest first."""
    people = young_person.history.select_related("history_user", "history_user__staff")[:limit]
    contacts = Contact.history.filter(young_person_id=young_person.pk).select_related(
        "history_user", "history_user__staff")[:limit]
    names = dict(Staff.objects.values_list("id", "name"))
    versions = _versions(people, lambda r: "Young person's details", names)
    versions += _versions(
        contacts, lambda r: f"Contact of {r.date.day} {r.date:%b %Y} ({r.get_method_display()})", names)
    versions.sort(key=lambda v: v.at, reverse=True)
    return versions
