"""Contacts and escalation steps on a young person's timeline, and the versions of their contacts
in the record's history (registered in ContactsConfig.ready). One query each."""

from django.db.models import Count, IntegerField, OuterRef, Subquery

from core.registry import TimelineSource
from core.timeline import Entry, HistorySource, staff_name

from .models import Contact, ContactCorrection, Escalation

#: Issue 12, item 5: how many times each contact was corrected, in the same query (no query per contact).
_CORRECTIONS = Subquery(
    ContactCorrection.objects.filter(contact=OuterRef("pk")).order_by().values("contact")
    .annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField())


def contact_entries(*, young_person, limit: int) -> list[Entry]:
    entries = []
    # Through the young person's manager, so each contact knows its young person (core.rules asks who may void it).
    for c in young_person.contacts.select_related("recorded_by", "visit_check").annotate(
            corrections_count=_CORRECTIONS)[:limit]:
        title = f"{c.get_method_display()} with {c.get_with_whom_display().lower()}: {c.get_outcome_display().lower()}"
        if c.purpose:
            title += f" ({c.get_purpose_display()})"
        if c.voided_at:
            title += " (recorded in error)"
        elif c.corrections_count:
            title += " (corrected)"
        entries.append(Entry(c.date, "contact", "Contact", title, c.note, c, staff_name(c.recorded_by), bool(c.voided_at)))
    return entries


def escalation_entries(*, young_person, limit: int) -> list[Entry]:
    steps = Escalation.objects.filter(young_person=young_person).select_related("recorded_by")[:limit]
    return [Entry(x.date, "escalation", "Escalation", x.get_step_display(), x.note, x, staff_name(x.recorded_by))
            for x in steps]


def contact_versions(*, young_person, limit: int):
    return Contact.history.filter(young_person_id=young_person.pk).select_related(
        "history_user", "history_user__staff")[:limit]


def contact_version_label(record) -> str:
    return f"Contact of {record.date.day} {record.date:%b %Y} ({record.get_method_display()})"


# The order keeps the page's order of kinds for entries on the same day (casework.timeline).
CONTACTS = TimelineSource("contacts", contact_entries, order=10)
ESCALATIONS = TimelineSource("escalations", escalation_entries, order=30)
CONTACT_HISTORY = HistorySource("contacts", contact_versions, contact_version_label, order=10)
