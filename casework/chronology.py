"""The young person's chronology (issue 12, item 6): the timeline as a paged list filterable by kind, date range
and author, with key events a PA marks, contact times, the home-visit living-environment notes and, for managers,
the earlier versions of corrected contacts; printable (print stylesheet) and exported as a PDF (WeasyPrint, as
the subject access export) for a court, an Ofsted case audit or a handover.

Every timeline source comes through the registry (casework.timeline.timeline_for), plus the young person's
documents. A fixed number of queries however long the history: one per source, the key events, the corrections.
"""

import datetime as dt
from dataclasses import dataclass, field

import rules
from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from weasyprint import CSS, HTML

from careleavers.key_events import key_event_clear, key_event_mark, key_events_of
from careleavers.models import KeyEvent, YoungPerson
from careleavers.selectors import young_person_for
from contacts.models import ContactCorrection
from core.audit import audit_record, audit_view
from core.dates import british
from core.decorators import require_perm, staff_required
from core.errors import ServiceError
from core.forms import DateInput, PlainForm
from core.models import AuditKind
from core.timeline import Entry, staff_name

from .timeline import timeline_for

#: Entries read for one young person (a court bundle covers years of contacts; far more than any record holds).
CHRONOLOGY_MAX = 5000
PAGE_SIZE = 50


def document_entries(*, young_person: YoungPerson, limit: int) -> list[Entry]:
    """Documents uploaded to the record (issue 12, item 4), by their date: one query."""
    rows = young_person.documents.select_related("uploaded_by")[:limit]
    return [Entry(d.dated, "document", "Document", f"{d.get_kind_display()}: {d.title}",
                  "A newer version of an earlier document." if d.supersedes_id else "", d, staff_name(d.uploaded_by))
            for d in rows]


@dataclass
class Row:
    entry: Entry
    key: KeyEvent | None = None
    corrections: list = field(default_factory=list)

    @property
    def time(self) -> dt.time | None:
        return getattr(self.entry.obj, "time", None) if self.entry.kind == "contact" else None

    @property
    def visit_check(self):
        return getattr(self.entry.obj, "visit_check", None) if self.entry.kind == "contact" else None

    @property
    def object_id(self) -> int:
        return self.entry.obj.pk  # type: ignore[attr-defined]


def chronology_rows(young_person: YoungPerson, *, with_corrections: bool) -> list[Row]:
    """Every entry, newest first (contacts by time within a day), each with its key event and, for managers, the
    corrections of a contact (the earlier values and why they changed)."""
    entries = timeline_for(young_person, limit=CHRONOLOGY_MAX)
    entries += document_entries(young_person=young_person, limit=CHRONOLOGY_MAX)
    entries.sort(key=lambda e: (e.on, getattr(e.obj, "time", None) or dt.time.min if e.kind == "contact" else dt.time.min),
                 reverse=True)
    keys = key_events_of(young_person)
    corrections: dict[int, list[ContactCorrection]] = {}
    if with_corrections:
        for c in ContactCorrection.objects.filter(contact__young_person=young_person).select_related("corrected_by"):
            corrections.setdefault(c.contact_id, []).append(c)
    return [Row(e, keys.get((e.kind, e.obj.pk)), corrections.get(e.obj.pk, []) if e.kind == "contact" else [])  # type: ignore[attr-defined]
            for e in entries]


class ChronologyFilter(PlainForm):
    kind = forms.ChoiceField(label="Kind", required=False)
    author = forms.ChoiceField(label="Recorded by", required=False)
    start = forms.DateField(label="From", required=False, widget=DateInput())
    end = forms.DateField(label="To", required=False, widget=DateInput())
    key_only = forms.BooleanField(label="Key events only", required=False)

    def __init__(self, *args, rows: list[Row], **kwargs):
        super().__init__(*args, **kwargs)
        kinds = sorted({(r.entry.kind, r.entry.kind_label) for r in rows}, key=lambda k: k[1])
        self.fields["kind"].choices = [("", "Every kind"), *kinds]
        self.fields["author"].choices = [("", "Anyone"), *[(a, a) for a in sorted({r.entry.by for r in rows if r.entry.by})]]

    def clean(self):
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "The end of the date range is before its start.")
        return data

    def apply(self, rows: list[Row]) -> list[Row]:
        if not self.is_valid():
            return rows
        data = self.cleaned_data
        if data["kind"]:
            rows = [r for r in rows if r.entry.kind == data["kind"]]
        if data["author"]:
            rows = [r for r in rows if r.entry.by == data["author"]]
        if data["start"]:
            rows = [r for r in rows if r.entry.on >= data["start"]]
        if data["end"]:
            rows = [r for r in rows if r.entry.on <= data["end"]]
        if data["key_only"]:
            rows = [r for r in rows if r.key is not None]
        return rows

    def described(self) -> str:
        """The filters in words, for the PDF's heading."""
        if not self.is_valid():
            return "Everything recorded"
        data, parts = self.cleaned_data, []
        if data["kind"]:
            parts.append(dict(self.fields["kind"].choices).get(data["kind"], data["kind"]))
        if data["author"]:
            parts.append(f"recorded by {data['author']}")
        if data["start"]:
            parts.append(f"from {british(data['start'])}")
        if data["end"]:
            parts.append(f"to {british(data['end'])}")
        if data["key_only"]:
            parts.append("key events only")
        return ", ".join(parts) if parts else "Everything recorded"


def _chronology(request, young_person: YoungPerson, *, managers: bool) -> tuple[ChronologyFilter, list[Row]]:
    rows = chronology_rows(young_person, with_corrections=managers)
    filters = ChronologyFilter(request.GET or None, rows=rows)
    return filters, filters.apply(rows)


@staff_required
def chronology(request, pk: int, *, staff):
    young_person = young_person_for(request.user, pk=pk)
    audit_view(actor=staff, page="chronology", young_person=young_person)
    managers = rules.has_perm("careleavers.view_history", request.user, young_person)  # earlier versions (item 5)
    filters, rows = _chronology(request, young_person, managers=managers)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "casework/chronology/page.html", {
        "yp": young_person, "filter": filters, "page": page, "total": len(rows), "query": query.urlencode(),
        "can_mark": rules.has_perm("careleavers.mark_key_event", request.user, young_person),
        "can_view_history": managers,
        "error_forms": [filters] if filters.is_bound else [],
    })


_PDF_CSS = CSS(string="""
    @page { size: A4; margin: 18mm 15mm; @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; }
            @bottom-left { content: "Chronology: official-sensitive"; font-size: 8pt; } }
    body { font-family: sans-serif; font-size: 9pt; }
    h1 { font-size: 15pt; margin-bottom: 2pt; } p.meta { color: #333; margin-top: 0; }
    table { border-collapse: collapse; width: 100%; }
    th, td { border: 1px solid #bbb; padding: 3pt 4pt; vertical-align: top; text-align: left; }
    thead { display: table-header-group; } tr { page-break-inside: avoid; }
    tr.key td { background: #fff4d6; } .small { font-size: 8pt; color: #333; }
    .voided { text-decoration: line-through; }
""")


def chronology_pdf(*, young_person: YoungPerson, rows: list[Row], described: str, generated_by: str,
                   generated_at: dt.datetime, with_corrections: bool) -> bytes:
    html = render_to_string("casework/chronology/pdf.html", {
        "yp": young_person, "rows": rows, "described": described, "generated_by": generated_by,
        "generated_at": generated_at, "with_corrections": with_corrections,
    })
    return HTML(string=html).write_pdf(stylesheets=[_PDF_CSS])


@staff_required
def chronology_export(request, pk: int, *, staff):
    """The chronology as filtered, every page of it, as a PDF; the export is an audit event."""
    young_person = young_person_for(request.user, pk=pk)
    managers = rules.has_perm("careleavers.view_history", request.user, young_person)
    filters, rows = _chronology(request, young_person, managers=managers)
    now = timezone.localtime()
    content = chronology_pdf(young_person=young_person, rows=rows, described=filters.described(),
                             generated_by=f"{staff.name} ({staff.get_role_display()})", generated_at=now,
                             with_corrections=managers)
    audit_record(kind=AuditKind.CHRONOLOGY_EXPORTED, actor=staff, young_person=young_person, obj=young_person,
                 filters=filters.described(), entries=len(rows))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="chronology-{young_person.ref}-{now:%Y-%m-%d}.pdf"'
    return response


@staff_required
@require_POST
def key_event_toggle(request, pk: int, *, staff):
    """Mark an entry of the chronology as a key event, or no longer. The entry must be on this young person's
    chronology (an id from someone else's record is 404)."""
    young_person = young_person_for(request.user, pk=pk)
    require_perm(request.user, "careleavers.mark_key_event", young_person)
    source, object_id = request.POST.get("source", ""), request.POST.get("object_id", "")
    if not object_id.isdigit():
        raise Http404("No such entry.")
    entries = timeline_for(young_person, limit=CHRONOLOGY_MAX) + document_entries(young_person=young_person,
                                                                                   limit=CHRONOLOGY_MAX)
    if not any(e.kind == source and e.obj.pk == int(object_id) for e in entries):  # type: ignore[attr-defined]
        raise Http404("No such entry on this chronology.")
    try:
        if request.POST.get("action") == "clear":
            key_event_clear(young_person=young_person, actor=staff, source=source, object_id=int(object_id))
            messages.success(request, "No longer a key event.")
        else:
            key_event_mark(young_person=young_person, actor=staff, source=source, object_id=int(object_id))
            messages.success(request, "Marked as a key event.")
    except ServiceError as exc:
        messages.error(request, str(exc))
    back = QueryDict(request.POST.get("back", "")).urlencode()  # the filters and page, re-encoded: nothing else
    return redirect(reverse("chronology", args=[young_person.pk]) + (f"?{back}" if back else ""))
