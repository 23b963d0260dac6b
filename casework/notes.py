"""Issue 12, item 1: case notes as records of their own. A notes page per young person (paged, filtered by kind),
a form to write one and a form to correct one (a new version with its reason, never an edit in place), and the
notes' timeline source and panel on the young person's page.

Who reads what is decided in core.rules and careleavers.selectors: a restricted note (safeguarding detail) only
for managers and the allocated PA; earlier versions of a corrected note only for managers.
"""

from functools import cache

import rules
from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

from careleavers import services
from careleavers.models import CASE_NOTE_MAX_LENGTH, WRITTEN_NOTE_KINDS, CaseNote, CaseNoteKind
from careleavers.selectors import (
    case_note_for,
    case_note_versions,
    case_notes_for,
    current_case_notes,
    timeline_case_notes_read,
    young_person_for,
)
from core.audit import audit_view
from core.batch import Read, read_objects
from core.decorators import require_perm, staff_required
from core.errors import ServiceError, StaleVersion
from core.forms import PlainForm, add_service_error
from core.idempotency import OnceFormMixin, submit_once
from core.prepared import INT
from core.prepared_models import PreparedModels
from core.registry import Panel, TimelineSource
from core.rules import reads_restricted_notes
from core.timeline import Entry, staff_name

NOTES_PAGE_SIZE = 20
PANEL_NOTES = 5
KIND_LABELS = dict(CaseNoteKind.choices)
TEXT_HELP = f"At most {CASE_NOTE_MAX_LENGTH:,} characters."


class NoteForm(OnceFormMixin):
    kind = forms.ChoiceField(label="Kind of note")
    subject = forms.CharField(label="Subject", max_length=200, help_text="A few words on what the note is about.")
    # No max_length here: the service's message says how long the note is and what to do (issue 12, item 1).
    text = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 10}), help_text=TEXT_HELP)
    restricted = forms.BooleanField(
        label="Restricted: safeguarding detail, read only by managers and the allocated Personal Adviser",
        required=False)

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, KIND_LABELS[k]) for k in kinds]


class CorrectForm(PlainForm):
    subject = forms.CharField(label="Subject", max_length=200)
    text = forms.CharField(label="Note, as it should read", widget=forms.Textarea(attrs={"rows": 10}),
                           help_text=TEXT_HELP)
    reason = forms.CharField(label="Why it is corrected", max_length=500,
                             help_text="Kept with the new version. The earlier text stays on the record for managers.")
    restricted = forms.BooleanField(label="Restrict this note (managers and the allocated Personal Adviser only)",
                                    required=False)


class KindFilterForm(PlainForm):
    kind = forms.ChoiceField(label="Kind", required=False, widget=forms.Select(attrs={"class": "form-select form-select-sm"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "All kinds"), *CaseNoteKind.choices]


def _writable_kinds(user, young_person) -> list[str]:
    """The kinds the user may write here: management oversight only for a manager of the case."""
    may_oversee = rules.has_perm("careleavers.record_oversight", user, young_person)
    return [k for k in WRITTEN_NOTE_KINDS if k != CaseNoteKind.OVERSIGHT or may_oversee]


@staff_required
def notes(request, pk: int, *, staff):
    """The young person's notes, newest first, filtered by kind; managers read the earlier versions too."""
    young_person = young_person_for(request.user, pk=pk)
    audit_view(actor=staff, page="case_notes", young_person=young_person)
    form = KindFilterForm(request.GET or None)
    kind = form.cleaned_data["kind"] if form.is_valid() else ""
    page = Paginator(case_notes_for(request.user, young_person=young_person, kind=kind), NOTES_PAGE_SIZE).get_page(
        request.GET.get("page"))
    may_read_versions = rules.has_perm("careleavers.view_note_versions", request.user, young_person)
    versions = case_note_versions(root_ids=[n.root_id for n in page if n.version > 1]) if may_read_versions else {}
    rows = [{"note": n, "earlier": [v for v in versions.get(n.root_id, []) if v.pk != n.pk]} for n in page]
    return render(request, "casework/notes/list.html", {
        "yp": young_person, "page": page, "rows": rows, "form": form, "kind": kind,
        "kind_label": KIND_LABELS.get(kind, ""), "may_read_versions": may_read_versions,
        "can_write": rules.has_perm("careleavers.write_case_note", request.user, young_person),
    })


@staff_required
def note_new(request, pk: int, *, staff):
    young_person = young_person_for(request.user, pk=pk)
    require_perm(request.user, "careleavers.write_case_note", young_person)
    kinds = _writable_kinds(request.user, young_person)
    initial = {"kind": request.GET["kind"]} if request.GET.get("kind") in kinds else None
    form = NoteForm(request.POST or None, kinds=kinds, initial=initial)
    def write():
        note = services.case_note_write(young_person=young_person, actor=staff, **form.cleaned_data)
        messages.success(request, f"{note.get_kind_display()} note saved{' (restricted)' if note.restricted else ''}.")
        return redirect("case_notes", pk=young_person.pk)

    if (done := submit_once(request, form, write)) is not None:
        return done
    return render(request, "casework/notes/form.html", {
        "yp": young_person, "form": form, "error_forms": [form], "max_length": CASE_NOTE_MAX_LENGTH,
    }, status=400 if form.errors else 200)


@staff_required
def note_detail(request, pk: int, note_pk: int, *, staff):
    """One note: the current version for everyone who reads it, every version for managers."""
    young_person = young_person_for(request.user, pk=pk)
    note = case_note_for(request.user, pk=note_pk, young_person=young_person)
    may_read_versions = rules.has_perm("careleavers.view_note_versions", request.user, young_person)
    versions = case_note_versions(root_ids=[note.root_id])[note.root_id]
    current = versions[-1]
    if not may_read_versions and note.pk != current.pk:
        return redirect("case_note", pk=young_person.pk, note_pk=current.pk)  # others read only the current one
    audit_view(actor=staff, page="case_note", young_person=young_person, note=current.pk)
    current.young_person = young_person
    return render(request, "casework/notes/detail.html", {
        "yp": young_person, "note": current, "earlier": list(reversed(versions[:-1])) if may_read_versions else [],
        "corrections": len(versions) - 1,
        "can_correct": rules.has_perm("careleavers.correct_case_note", request.user, current),
    })


@staff_required
def note_correct(request, pk: int, note_pk: int, *, staff):
    """The correction form is read at one version (the note in the URL); a newer version saved meanwhile is a
    refusal with what to do (StaleVersion), never an overwrite."""
    young_person = young_person_for(request.user, pk=pk)
    note = case_note_for(request.user, pk=note_pk, young_person=young_person)
    require_perm(request.user, "careleavers.correct_case_note", note)
    form = CorrectForm(request.POST or None, initial={"subject": note.subject, "text": note.text,
                                                      "restricted": note.restricted})
    if note.restricted:
        form.fields["restricted"].disabled = True
        form.fields["restricted"].help_text = "A restricted note stays restricted."
    if request.method == "POST" and form.is_valid():
        try:
            corrected = services.case_note_correct(note=note, actor=staff, **form.cleaned_data)
        except StaleVersion as exc:
            add_service_error(form, exc)
            newest = CaseNote.objects.filter(original_id=note.root_id).order_by("-version").first()
            return render(request, "casework/notes/correct.html", {
                "yp": young_person, "note": note, "form": form, "error_forms": [form], "newest": newest,
            }, status=409)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Note corrected: version {corrected.version} saved with the reason.")
            return redirect("case_note", pk=young_person.pk, note_pk=corrected.pk)
    return render(request, "casework/notes/correct.html", {
        "yp": young_person, "note": note, "form": form, "error_forms": [form],
    }, status=400 if form.errors else 200)


# --- the young person's page and the timeline -------------------------------------------------------------


PANEL_NOTE_FIELDS = ("young_person_id", "kind", "subject", "restricted", "version", "created_at")


def notes_panel_context(*, request, young_person, today, reads=None):
    """The newest notes the user may read, and the links to write one and to read them all. One query (the
    permission questions reuse the page's visibility answer, core.rules.sees_young_person_of)."""
    # Issue 16: the panel shows a note's subject, kind, mark, first date and version: not its text, author or first
    # version (three records a note, each compiled and read).
    # Compiled once per process for each kind of reader (core.prepared_models).
    latest = reads.get(NOTES_PANEL_READ) if reads is not None else None
    if latest is None:
        latest = read_objects(panel_notes_read(user=request.user, young_person=young_person))
    return {
        "yp": young_person, "notes": latest,
        "can_write": rules.has_perm("careleavers.write_case_note", request.user, young_person),
        # Item 2: a manager of the case records management oversight from here.
        "can_oversee": rules.has_perm("careleavers.record_oversight", request.user, young_person),
    }


#: The key of the panel's notes in the young person's page's reads, when it has read them with its others.
NOTES_PANEL_READ = "notes_panel"


def panel_notes_read(*, user, young_person) -> Read:
    """The notes panel's notes for this reader (core.rules.readable_case_notes), as one compiled read (core.batch)."""
    restricted_too = reads_restricted_notes(user, young_person)
    return Read(_prepared_panel_notes(restricted_too=restricted_too), {"young_person_id": young_person.pk})


@cache
def _prepared_panel_notes(*, restricted_too: bool) -> PreparedModels:
    return PreparedModels(lambda young_person_id: current_case_notes(young_person_id, restricted_too=restricted_too)
                          .only(*PANEL_NOTE_FIELDS)[:PANEL_NOTES], young_person_id=INT)


NOTES_PANEL = Panel(key="notes", template="casework/notes/panel.html", context=notes_panel_context, order=70)


def note_read(*, young_person, limit: int, viewer=None) -> Read:
    """note_entries' query for this reader (core.rules: restricted notes, earlier versions), to be sent with the
    page's other reads (core.batch)."""
    with_versions = viewer is not None and rules.has_perm("careleavers.view_note_versions", viewer, young_person)
    return timeline_case_notes_read(young_person=young_person, user=viewer, limit=limit, with_versions=with_versions)


def note_entries(*, young_person, limit: int, viewer=None, objects=None, **_filters) -> list[Entry]:
    """Timeline source (issue 12, items 1-3): each note with its author and kind; restricted notes only for who may
    read them (without a `viewer`, none); earlier versions of a corrected note only for managers, marked as
    superseded (`voided`). One query; none given `objects`, note_read's instances for the same reader."""
    if objects is None:
        objects = read_objects(note_read(young_person=young_person, limit=limit, viewer=viewer))
    entries = []
    for n in objects:
        superseded = hasattr(n, "correction")
        label = KIND_LABELS.get(n.kind, "Case note")
        title = f"{n.subject} (corrected, version {n.version}: {n.correction_reason})" if n.version > 1 else n.subject
        if superseded:
            title = f"{n.subject} (version {n.version}, since corrected)"
        if n.restricted:
            label = f"{label} (restricted)"
        entries.append(Entry(timezone.localdate(n.created_at), "note", label, title, n.text, n, staff_name(n.author),
                             superseded))
    return entries


note_entries.takes_viewer = True  # type: ignore[attr-defined]  # casework.timeline passes who is reading

NOTES_TIMELINE = TimelineSource("notes", note_entries, order=60, read=note_read)
