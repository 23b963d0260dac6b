"""Contacts and escalation steps on a young person's timeline, and the versions of their contacts
in the record's history (registered in ContactsConfig.ready). One query each."""

from functools import cache

from django.db.models import Count, IntegerField, OuterRef, Subquery

from careleavers.models import Staff
from core.batch import Read, read_objects
from core.prepared import INT
from core.prepared_models import PreparedModels
from core.registry import TimelineSource
from core.timeline import Entry, HistorySource, staff_name

from .models import Contact, ContactCorrection, Escalation

#: Issue 12, item 5: how many times each contact was corrected, in the same query (no query per contact).
_CORRECTIONS = Subquery(
    ContactCorrection.objects.filter(contact=OuterRef("pk")).order_by().values("contact")
    .annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField())


def _labels(field: str) -> dict:
    return {value: str(label) for value, label in Contact._meta.get_field(field).flatchoices}


#: Issue 16: each choice's label looked up in a dict made once; `get_FOO_display` rebuilds its dict on every call,
#: four times a contact (the same text: an unknown value shows as itself).
_METHOD, _WITH_WHOM, _OUTCOME, _PURPOSE = (_labels(f) for f in ("method", "with_whom", "outcome", "purpose"))


#: Issue 16: who recorded each contact, by name, as a column of the same query: joined to the staff table,
#: PostgreSQL hashed all of it (4 600 rows at national scale) for a young person's sixty contacts.
_RECORDED_BY = Subquery(Staff.objects.filter(pk=OuterRef("recorded_by_id")).values("name")[:1])


@cache
def prepared_contacts(limit: int) -> PreparedModels:
    """Issue 16: the young person's newest contacts, compiled once per process and limit (core.prepared_models)."""
    return PreparedModels(lambda young_person_id: Contact.objects.filter(young_person_id=young_person_id)
                          .select_related("visit_check")
                          .annotate(corrections_count=_CORRECTIONS, recorded_by_name=_RECORDED_BY)[:limit],
                          young_person_id=INT)


@cache
def prepared_escalations(limit: int) -> PreparedModels:
    return PreparedModels(lambda young_person_id: Escalation.objects.filter(young_person_id=young_person_id)
                          .select_related("recorded_by")[:limit], young_person_id=INT)


def contact_read(*, young_person, limit: int, viewer=None) -> Read:
    # Each contact knows its young person (core.rules asks who may void it), as through the young person's manager.
    return Read(prepared_contacts(limit), {"young_person_id": young_person.pk}, {"young_person": young_person})


def escalation_read(*, young_person, limit: int, viewer=None) -> Read:
    return Read(prepared_escalations(limit), {"young_person_id": young_person.pk})


def contact_entries(*, young_person, limit: int, objects=None) -> list[Entry]:
    """`objects`: contact_read's instances when the page has read them with its other reads (core.batch)."""
    entries = []
    for c in read_objects(contact_read(young_person=young_person, limit=limit)) if objects is None else objects:
        title = (f"{_METHOD.get(c.method, c.method)} with {_WITH_WHOM.get(c.with_whom, c.with_whom).lower()}: "
                 f"{_OUTCOME.get(c.outcome, c.outcome).lower()}")
        if c.purpose:
            title += f" ({_PURPOSE.get(c.purpose, c.purpose)})"
        if c.voided_at:
            title += " (recorded in error)"
        elif c.corrections_count:
            title += " (corrected)"
        entries.append(Entry(c.date, "contact", "Contact", title, c.note, c, c.recorded_by_name or "", bool(c.voided_at)))
    return entries


def escalation_entries(*, young_person, limit: int, objects=None) -> list[Entry]:
    steps = read_objects(escalation_read(young_person=young_person, limit=limit)) if objects is None else objects
    return [Entry(x.date, "escalation", "Escalation", x.get_step_display(), x.note, x, staff_name(x.recorded_by))
            for x in steps]


def contact_versions(*, young_person, limit: int):
    return Contact.history.filter(young_person_id=young_person.pk).select_related(
        "history_user", "history_user__staff")[:limit]


def contact_version_label(record) -> str:
    return f"Contact of {record.date.day} {record.date:%b %Y} ({record.get_method_display()})"


# The order keeps the page's order of kinds for entries on the same day (casework.timeline).
CONTACTS = TimelineSource("contacts", contact_entries, order=10, read=contact_read)
ESCALATIONS = TimelineSource("escalations", escalation_entries, order=30, read=escalation_read)
CONTACT_HISTORY = HistorySource("contacts", contact_versions, contact_version_label, order=10)
