"""Subject access (issue 14, item 8): everything held about one young person, machine-readable and
readable. `subject_access_data` is the one list of what is held; the JSON and the PDF are built from it.
A fixed number of queries, one per kind of record."""

import datetime as dt
import json
from typing import Any

import rules
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.template.loader import render_to_string
from weasyprint import CSS, HTML

from approvals.models import Arrangement, ArrangementDecision, StepBackRecord
from careleavers.models import (
    AccommodationPeriod,
    ActivityPeriod,
    AddressPeriod,
    Allocation,
    CardSent,
    CaseNote,
    Cover,
    Event,
    Flag,
    IntervalOverride,
    KeyProfessional,
    LegalStatusChange,
    Notification,
    Staff,
    YoungPerson,
)
from compliance.models import Requirement
from contacts.models import Contact, Escalation, InTouchCheck, OversightItem, VisitCheck
from core.audit import audit_record
from core.errors import NotAllowed
from core.models import AuditEvent, AuditKind
from oversight.models import Alert, OverdueUpdate
from pathway.models import PathwayPlan, PlanActionItem, PlanDecision

#: Format of the export (bump when a section is added or renamed).
SUBJECT_ACCESS_VERSION = 2  # 2: pathway plan actions (issue 13); the case record's histories and flags (issue 11)

#: (section key, heading, model, the filter naming the young person): every kind of record held.
SECTIONS: tuple[tuple[str, str, Any, str], ...] = (
    ("allocations", "Allocations to Personal Advisers", Allocation, "young_person"),
    ("cover", "Cover", Cover, "young_person"),
    ("legal_status_changes", "Legal status changes", LegalStatusChange, "young_person"),
    ("contacts", "Contacts", Contact, "young_person"),
    ("visit_checks", "Home-visit checklists", VisitCheck, "contact__young_person"),
    ("in_touch_checks", "In-touch checks", InTouchCheck, "young_person"),
    ("escalations", "Escalation steps", Escalation, "young_person"),
    ("oversight_items", "Management-oversight items", OversightItem, "young_person"),
    ("plans", "Pathway plans", PathwayPlan, "young_person"),
    ("plan_decisions", "Pathway plan decisions", PlanDecision, "plan__young_person"),
    ("plan_actions", "Pathway plan actions", PlanActionItem, "plan__young_person"),  # issue 13
    ("arrangements", "Arrangements", Arrangement, "young_person"),
    ("arrangement_decisions", "Arrangement decisions", ArrangementDecision, "arrangement__young_person"),
    ("step_back_items", "Step-back items", StepBackRecord, "arrangement__young_person"),
    ("events", "Events", Event, "young_person"),
    ("interval_overrides", "Agreed visit intervals", IntervalOverride, "young_person"),
    ("case_notes", "Case notes", CaseNote, "young_person"),
    ("cards_sent", "Cards sent", CardSent, "young_person"),
    # issue 11 (items 2-4, 7): the case record's histories and flags
    ("addresses", "Addresses", AddressPeriod, "young_person"),
    ("professionals", "Key professionals", KeyProfessional, "young_person"),
    ("accommodation", "Accommodation", AccommodationPeriod, "young_person"),
    ("activity", "Education, employment and training", ActivityPeriod, "young_person"),
    ("flags", "Flags", Flag, "young_person"),
    ("requirements", "Requirements (computed)", Requirement, "young_person"),
    ("overdue_updates", "Updates on overdue items", OverdueUpdate, "young_person"),
    ("alerts", "Alerts", Alert, "young_person"),
    ("notifications", "Notifications to staff about them", Notification, "young_person"),
    ("audit_events", "Audit log", AuditEvent, "young_person"),
)


def _row(obj: models.Model) -> dict[str, Any]:
    """A record's stored fields, by name (a foreign key as its id)."""
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def subject_access_data(young_person: YoungPerson, *, generated_at: dt.datetime, generated_by: str) -> dict[str, Any]:
    """Everything held about `young_person`: the record, every version of it, and each kind of record."""
    data: dict[str, Any] = {
        "format": "subject-access", "version": SUBJECT_ACCESS_VERSION,
        "generated_at": generated_at, "generated_by": generated_by,
        "young_person": _row(young_person) | {"retention_date": young_person.retention_date},
        "history": [
            {"history_date": v.history_date, "history_type": v.history_type, "history_user_id": v.history_user_id}
            | {field.attname: getattr(v, field.attname) for field in YoungPerson._meta.concrete_fields}
            for v in young_person.history.order_by("history_date", "history_id")
        ],
    }
    for key, _heading, model, lookup in SECTIONS:
        data[key] = [_row(obj) for obj in model.objects.filter(**{lookup: young_person}).order_by("pk")]
    return data


def subject_access_json(data: dict[str, Any]) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


_PDF_CSS = CSS(string="""
    @page { size: A4; margin: 18mm 15mm; @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; } }
    body { font-family: sans-serif; font-size: 9pt; }
    h1 { font-size: 16pt; } h2 { font-size: 12pt; margin-top: 14pt; border-bottom: 1px solid #999; }
    table { border-collapse: collapse; width: 100%; margin-bottom: 6pt; page-break-inside: avoid; }
    th { text-align: left; width: 30%; vertical-align: top; } th, td { border: 1px solid #ccc; padding: 2pt 4pt; }
""")


def subject_access_pdf(data: dict[str, Any], young_person: YoungPerson) -> bytes:
    """The same content as the JSON, readable: a heading per kind of record, a table per record."""
    plain = json.loads(subject_access_json(data))  # dates and times as the JSON gives them
    sections = [("history", "Versions of the record", plain["history"])] + [
        (key, heading, plain[key]) for key, heading, _model, _lookup in SECTIONS
    ]
    html = render_to_string("careleavers/subject_access.html", {
        "yp": young_person, "data": plain, "record": plain["young_person"], "sections": sections,
    })
    return HTML(string=html).write_pdf(stylesheets=[_PDF_CSS])


#: The formats of the export: (content type, file extension).
FORMATS = {"json": ("application/json", "json"), "pdf": ("application/pdf", "pdf")}


@transaction.atomic
def subject_access_export(*, young_person: YoungPerson, actor: Staff, fmt: str, now: dt.datetime) -> bytes:
    """A Service Leader's subject access export (JSON or PDF), logged in the audit log with the export
    itself: the record of the export commits with nothing else to undo."""
    if not rules.has_perm("careleavers.export_subject_access", actor.user, young_person):
        raise NotAllowed("Only a Service Leader exports everything held about a young person.")
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}")
    data = subject_access_data(young_person, generated_at=now, generated_by=f"{actor.name} ({actor.ref})")
    content = subject_access_json(data).encode() if fmt == "json" else subject_access_pdf(data, young_person)
    audit_record(kind=AuditKind.SUBJECT_ACCESS_EXPORTED, actor=actor, young_person=young_person, obj=young_person,
                 format=fmt, sections={key: len(data[key]) for key, *_ in SECTIONS})
    return content
