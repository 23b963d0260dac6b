"""Issue 12, item 3: supervision. A Team Leader (or a Service Leader) records a supervision session with a PA
covering several young people, each with a case-level note that appears on that young person's record; an
interval agreed in supervision (T4) is set from here, and the override points at the note that agreed it
(compliance.services.supervision_record)."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from careleavers.models import CASE_NOTE_MAX_LENGTH, CaseNote, IntervalOverride, Staff, YoungPerson
from careleavers.selectors import (
    supervisable_pas,
    supervision_for,
    supervisions_visible_to,
    young_people_visible_to,
)
from compliance.models import RequirementCode
from compliance.services import supervision_record
from core.decorators import require_perm, staff_required
from core.forms import DateInput
from core.idempotency import OnceFormMixin, submit_once

PAGE_SIZE = 25


class SupervisionForm(OnceFormMixin):
    held_on = forms.DateField(label="Date of the session", widget=DateInput())
    summary = forms.CharField(label="Summary (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="Wellbeing, workload, training: what was discussed beyond the young people.")

    def __init__(self, *args, people: list[YoungPerson], **kwargs):
        super().__init__(*args, **kwargs)
        self.people = people
        choices = [("", "No interval agreed"), *RequirementCode.choices]
        for yp in people:
            self.fields[f"note_{yp.pk}"] = forms.CharField(
                label=f"Case note for {yp.name} ({yp.ref})", required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=f"Leave empty if {yp.name} was not discussed. At most {CASE_NOTE_MAX_LENGTH:,} characters.")
            self.fields[f"interval_{yp.pk}"] = forms.ChoiceField(
                label=f"Interval agreed for {yp.name}", required=False, choices=choices)  # T4
            self.fields[f"days_{yp.pk}"] = forms.IntegerField(
                label=f"Every how many days ({yp.name})", required=False, min_value=1, max_value=3650)

    def rows(self):
        return [(yp, self[f"note_{yp.pk}"], self[f"interval_{yp.pk}"], self[f"days_{yp.pk}"]) for yp in self.people]

    def clean(self):
        data = super().clean()
        for yp in self.people:
            note, code, days = data.get(f"note_{yp.pk}"), data.get(f"interval_{yp.pk}"), data.get(f"days_{yp.pk}")
            if code and not days:
                self.add_error(f"days_{yp.pk}", "Give the interval agreed, in days.")
            if (code or days) and not (note or "").strip():
                self.add_error(f"note_{yp.pk}", "An interval agreed in supervision needs the case note that agrees it.")
            if days and not code:
                self.add_error(f"interval_{yp.pk}", "Choose the requirement whose interval was agreed.")
        if not any((data.get(f"note_{yp.pk}") or "").strip() for yp in self.people) and not self.errors:
            raise forms.ValidationError("Write a case note for at least one young person discussed.")
        return data

    def items(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {"young_person": yp, "text": data[f"note_{yp.pk}"], "requirement": data.get(f"interval_{yp.pk}") or "",
             "interval_days": data.get(f"days_{yp.pk}")}
            for yp in self.people if (data.get(f"note_{yp.pk}") or "").strip()
        ]


@staff_required
def supervisions(request, *, staff):
    """The supervision sessions of the PAs the manager supervises, newest first, and whom to record one for."""
    require_perm(request.user, "careleavers.view_supervisions", None, "Supervision is recorded by Team Leaders.")
    page = Paginator(supervisions_visible_to(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "casework/supervision/list.html", {
        "page": page, "pas": list(supervisable_pas(request.user)),
    })


def _pa_for(request) -> Staff:
    try:
        return supervisable_pas(request.user).get(pk=int(request.GET.get("pa") or request.POST.get("pa") or ""))
    except (Staff.DoesNotExist, ValueError) as exc:
        raise Http404("No such Personal Adviser for you to supervise.") from exc


@staff_required
def supervision_new(request, *, staff):
    require_perm(request.user, "careleavers.view_supervisions", None, "Supervision is recorded by Team Leaders.")
    pa = _pa_for(request)
    require_perm(request.user, "careleavers.record_supervision", pa)
    today = timezone.localdate()
    # The young people the PA works (their caseload and cover cases) that the manager sees.
    people = list(young_people_visible_to(request.user).filter(pk__in=YoungPerson.objects.visible_to(pa.user, on=today)
                                                                .values("pk")).order_by("name", "pk"))
    form = SupervisionForm(request.POST or None, people=people, initial={"held_on": today})
    def record():
        session = supervision_record(pa=pa, actor=staff, held_on=form.cleaned_data["held_on"],
                                     summary=form.cleaned_data["summary"], items=form.items(), today=today)
        count = session.notes.count()
        messages.success(request, f"Supervision of {pa.name} recorded: {count} case note{'s' if count != 1 else ''} "
                                  "added to the young people's records.")
        return redirect("supervision", pk=session.pk)

    if (done := submit_once(request, form, record)) is not None:
        return done
    return render(request, "casework/supervision/form.html", {
        "pa": pa, "form": form, "error_forms": [form], "today": today,
    }, status=400 if form.errors else 200)


@staff_required
def supervision_detail(request, pk: int, *, staff):
    session = supervision_for(request.user, pk=pk)
    notes = (CaseNote.objects.filter(supervision=session, correction__isnull=True)
             .select_related("young_person", "author").order_by("young_person__name", "pk"))
    notes = list(notes)
    visible = set(young_people_visible_to(request.user).filter(pk__in=[n.young_person_id for n in notes])
                  .values_list("pk", flat=True))
    notes = [n for n in notes if n.young_person_id in visible]
    agreed = _intervals_agreed(notes)
    for n in notes:
        n.agreed = agreed.get(n.root_id, [])
    return render(request, "casework/supervision/detail.html", {"session": session, "notes": notes})


def _intervals_agreed(notes) -> dict[int, list[tuple[str, int]]]:
    """The intervals (T4) each note agreed that still point at it: {note id: [(requirement, days), ...]}; one query."""
    found: dict[int, list[tuple[str, int]]] = {}
    labels = dict(RequirementCode.choices)
    if notes:
        for o in IntervalOverride.objects.filter(supervision_note_id__in=[n.root_id for n in notes]).order_by("requirement"):
            found.setdefault(o.supervision_note_id, []).append((labels.get(o.requirement, o.requirement), o.interval_days))
    return found
