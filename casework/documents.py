"""Documents on the young person's record (issue 12, item 4): the panel, upload (or a newer version) and the
download, which checks permission and writes an audit event. There is no public URL for a document."""

from functools import lru_cache

import rules
from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Count, IntegerField, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from careleavers.documents import ACCEPTED_NAMES, document_open, document_upload, size_label
from careleavers.models import Document, DocumentKind
from careleavers.selectors import young_person_for
from core.decorators import require_perm, staff_required
from core.forms import DateInput
from core.idempotency import OnceFormMixin, submit_once
from core.prepared import INT, Prepared

#: The panel lists this many current documents; the documents page lists them all.
PANEL_SHOWN = 10


class DocumentForm(OnceFormMixin):
    kind = forms.ChoiceField(label="Type of document", choices=[("", "Choose"), *DocumentKind.choices])
    title = forms.CharField(label="Title", max_length=200, help_text="What it is, e.g. “Passport” or “GP letter”.")
    dated = forms.DateField(label="Date of the document", widget=DateInput(), help_text="Not in the future.")
    file = forms.FileField(label="File", allow_empty_file=True,
                           help_text=f"A {ACCEPTED_NAMES} file, at most the size given below.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dated"].initial = timezone.localdate()


#: The panel's columns, as the template reads them (one dict a document).
PANEL_COLUMNS = ("pk", "title", "kind", "dated", "supersedes_id", "earlier")


def _panel_documents(young_person_id):
    earlier = Subquery(Document.objects.filter(young_person_id=young_person_id, superseded_by__isnull=False)
                       .order_by().values("young_person").annotate(n=Count("pk")).values("n")[:1],
                       output_field=IntegerField())
    return (Document.objects.filter(young_person_id=young_person_id, superseded_by__isnull=True)
            .annotate(earlier=earlier).values_list(*PANEL_COLUMNS)[:PANEL_SHOWN])


@lru_cache(maxsize=1)
def prepared_panel_documents() -> Prepared:
    return Prepared(_panel_documents, young_person_id=INT)


def documents_panel(*, request, young_person, today, reads=None):
    """The current version of each document, and how many earlier versions there are, in one query (issue 16): the
    count rides on each current row as a subquery. Nothing is deleted, so every earlier version leads to a current
    one: with no current document there is no earlier one either. Compiled once per process (core.prepared) and read
    as the values shown; `kind_label` is get_kind_display's."""
    labels = dict(Document._meta.get_field("kind").flatchoices)
    current = []
    rows = (reads["casework_rows"]["documents"] if reads is not None  # issue 16: with the other panels' rows
            else prepared_panel_documents().rows(young_person_id=young_person.pk))
    for row in rows:
        document = dict(zip(PANEL_COLUMNS, row, strict=True))
        document["kind_label"] = str(labels.get(document["kind"], document["kind"]))
        current.append(document)
    return {
        "yp": young_person, "documents": current,
        "earlier": (current[0]["earlier"] or 0) if current else 0,
        "can_upload": rules.has_perm("careleavers.upload_document", request.user, young_person),
    }


def _document_of(young_person, pk: int) -> Document:
    try:
        return young_person.documents.select_related("uploaded_by", "young_person").get(pk=pk)
    except (Document.DoesNotExist, ValueError) as exc:
        raise Http404("No such document.") from exc


@staff_required
def documents(request, pk: int, *, staff):
    """Every document of the young person, each version, newest first."""
    young_person = young_person_for(request.user, pk=pk)
    rows = list(young_person.documents.select_related("uploaded_by", "superseded_by").order_by("-uploaded_at", "-id"))
    return render(request, "casework/documents/list.html", {
        "yp": young_person, "documents": rows,
        "can_upload": rules.has_perm("careleavers.upload_document", request.user, young_person),
    })


@staff_required
def document_new(request, pk: int, *, staff):
    """Upload a document, or (?replaces=<id>) a newer version of one, which then supersedes it."""
    young_person = young_person_for(request.user, pk=pk)
    require_perm(request.user, "careleavers.upload_document", young_person)
    replaces_id = request.POST.get("replaces") or request.GET.get("replaces")
    replaces = _document_of(young_person, replaces_id) if replaces_id else None
    initial = {"kind": replaces.kind, "title": replaces.title} if replaces else None
    form = DocumentForm(request.POST or None, request.FILES or None, initial=initial)

    def upload():
        values = form.cleaned_data
        document_upload(young_person=young_person, actor=staff, kind=values["kind"], title=values["title"],
                        dated=values["dated"], upload=values["file"], supersedes=replaces, today=timezone.localdate())
        messages.success(request, "Document uploaded." if replaces is None else "Newer version uploaded.")
        return redirect("documents", pk=young_person.pk)

    if (done := submit_once(request, form, upload)) is not None:
        return done
    return render(request, "casework/documents/form.html", {
        "yp": young_person, "form": form, "error_forms": [form], "replaces": replaces,
        "max_size": size_label(settings.DOCUMENT_MAX_BYTES),
    })


@staff_required
def document_download(request, pk: int, document_pk: int, *, staff):
    """The file, as an attachment, after the permission check; the download is an audit event (item 4)."""
    young_person = young_person_for(request.user, pk=pk)
    document = _document_of(young_person, document_pk)
    handle = document_open(document=document, actor=staff)
    response = FileResponse(handle, as_attachment=True, filename=document.original_name,
                            content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
