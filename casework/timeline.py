"""A young person's timeline: contacts, events, escalation steps, case notes, plans and
arrangements, newest first; and the record's history.

Events and case notes are read here; the other kinds come from the apps that own them, through
their registered timeline and history sources (core.registry, core.timeline), so this module
imports none of their models. One query per kind of record, however long the history (six in all).
"""

import datetime as dt
from dataclasses import dataclass
from functools import cache

from careleavers.models import Event, Staff, YoungPerson
from core.batch import Read, read_objects
from core.prepared import INT
from core.prepared_models import PreparedModels
from core.registry import PageReads, TimelineSource, timeline_sources
from core.timeline import Entry, history_sources, staff_name


@cache
def prepared_events(limit: int) -> PreparedModels:
    """Issue 16: the young person's newest events, compiled once per process and limit (core.prepared_models)."""
    return PreparedModels(lambda young_person_id: Event.objects.filter(young_person_id=young_person_id)
                          .select_related("recorded_by")[:limit], young_person_id=INT)


def event_read(*, young_person: YoungPerson, limit: int, viewer=None) -> Read:
    return Read(prepared_events(limit), {"young_person_id": young_person.pk}, {"young_person": young_person})


def event_entries(*, young_person: YoungPerson, limit: int, objects=None) -> list[Entry]:
    events = read_objects(event_read(young_person=young_person, limit=limit)) if objects is None else objects
    return [Entry(e.date, "event", "Event", e.get_kind_display(), e.notes, e, staff_name(e.recorded_by), bool(e.voided_at))
            for e in events]


#: The young person's own records, between the apps' sources: contacts 10, escalations 30,
#: plans 40, arrangements 50. Entries of one day keep this order of kinds. Case notes (60) are
#: casework.notes.NOTES_TIMELINE (issue 12, item 1), registered in casework's AppConfig.ready().
OWN_SOURCES = (TimelineSource("events", event_entries, order=20, read=event_read),)


def _sources() -> list[TimelineSource]:
    return sorted([*timeline_sources(), *OWN_SOURCES], key=lambda s: (s.order, s.key))


def timeline_reads(young_person: YoungPerson, limit: int = 200, *, user=None) -> dict:
    """Issue 16: the compiled reads of the sources that have one (`TimelineSource.read`), keyed as timeline_for looks
    for them in the page's `reads` (PageReads.read_together sends them with the page's other reads)."""
    return {f"timeline:{source.key}": source.read(young_person=young_person, limit=limit, viewer=user)
            for source in _sources() if source.read is not None}


def timeline_for(young_person: YoungPerson, limit: int = 200, *, user=None, reads: PageReads | None = None) -> list[Entry]:
    """`user` is who reads it: a source that marks itself `takes_viewer` (the case notes: restricted ones, earlier
    versions) is given them as `viewer`; one that marks itself `takes_reads` is given the young person's page's
    `reads` (core.registry.PageReads: records its panels read too, read once, issue 16); a source whose compiled read
    the page has read with the others (`timeline_reads`, with the same limit and user) is given its `objects`."""
    entries: list[Entry] = []
    for source in _sources():
        objects = reads.get(f"timeline:{source.key}") if reads is not None and source.read is not None else None
        if objects is not None:
            extra = {"objects": objects}
        else:
            extra = {"viewer": user} if getattr(source.entries, "takes_viewer", False) else {}
        if reads is not None and getattr(source.entries, "takes_reads", False):
            extra["reads"] = reads
        entries.extend(source.entries(young_person=young_person, limit=limit, **extra))
    # issue 15, item 9: contacts on one day in the order of their times (newest first).
    entries.sort(key=lambda e: (e.on, getattr(e.obj, "time", None) or dt.time.min), reverse=True)
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
    if isinstance(value, dt.time):
        return f"{value:%H:%M}"  # issue 15, item 9: the times the timeline shows, without seconds
    return str(value)


def _versions(records, label, names: dict[int, str]) -> list[Version]:
    """Each historical record with the fields that changed since the one before (no query per record)."""
    versions = []
    previous: dict[int, object] = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        # The page is one young person's history: their own link on each record ("Young person: #1") says nothing.
        fields = [f for f in record.instance_type._meta.concrete_fields if f.attname not in _SKIP and f.name not in _SKIP
                  and f.related_model is not YoungPerson]
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
    """The record's versions (django-simple-history): the young person and their records (each
    app's registered history source, e.g. their contacts), newest first."""
    people = young_person.history.select_related("history_user", "history_user__staff")[:limit]
    records = [(source, source.records(young_person=young_person, limit=limit)) for source in history_sources()]
    names = dict(Staff.objects.values_list("id", "name"))
    versions = _versions(people, lambda r: "Young person's details", names)
    for source, rows in records:
        versions += _versions(rows, source.label, names)
    versions.sort(key=lambda v: v.at, reverse=True)
    return versions
