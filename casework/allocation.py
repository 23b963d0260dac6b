"""Pages of issue 11 (item 6): allocation and reallocation, cover, and a Team Leader's view of their PAs'
planned absences with cover for a whole absence in one step (V5). A young person the user may not see is a
404; an absence of someone outside the manager's team is a 404 too."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from careleavers.models import Cover, PlannedAbsence
from careleavers.selectors import advisers_for, open_cases, staff_visible_to, young_person_for
from compliance import services
from compliance.selectors import due_summary
from core.dates import british
from core.decorators import require_perm, staff_required
from core.errors import ServiceError
from core.forms import add_service_error
from core.idempotency import submit_once

from .case_forms import AllocateForm, CoverForm, TeamAbsenceForm


@staff_required
def allocate(request, pk: int, *, staff):
    """Allocate a registered young person, or reallocate: a Team Leader to a PA of their own team, the
    Service Leader across teams. No due date moves (V3)."""
    young_person = young_person_for(request.user, pk=pk)
    require_perm(request.user, "careleavers.allocate", young_person)
    form = AllocateForm(request.POST or None, advisers=advisers_for(request.user),
                        initial={"holder": young_person.pa_id or ""})
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        holder = values.pop("holder", "")
        try:
            allocation = services.allocation_make(
                young_person=young_person, actor=staff,
                expected_pa_id=(int(holder) if holder.isdigit() else None) if "holder" in request.POST else "", **values)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{young_person.name} is allocated to {allocation.pa.name}. "
                                      f"{due_summary(young_person)}")
            return redirect("young_person", pk=young_person.pk)
    return render(request, "casework/allocate.html", {
        "yp": young_person, "form": form, "error_forms": [form],
        "allocations": young_person.allocations.select_related("pa", "created_by").order_by("-start", "-id"),
    })


@staff_required
def cover(request, pk: int, *, staff):
    """Cover with a start and an end: the covering PA sees and works the case meanwhile."""
    young_person = young_person_for(request.user, pk=pk)
    require_perm(request.user, "careleavers.set_cover", young_person)
    form = CoverForm(request.POST or None, advisers=advisers_for(request.user))
    def create():
        c = services.cover_set(young_person=young_person, actor=staff, **form.cleaned_data)
        messages.success(request, f"{c.pa.name} covers {young_person.name} until {british(c.end)}.")
        return redirect("young_person", pk=young_person.pk)

    if (done := submit_once(request, form, create)) is not None:
        return done
    return render(request, "casework/cover.html", {
        "yp": young_person, "form": form, "error_forms": [form],
        "covers": Cover.objects.filter(young_person=young_person).select_related("pa").order_by("-start"),
    })


@staff_required
def team_absences(request, *, staff):
    """V5: a Team Leader enters the planned absences of their team's PAs (the Service Leader anyone's), and
    sets cover for a whole absence from here."""
    require_perm(request.user, "careleavers.plan_team_absences", None, "This page is for Team Leaders.")
    today = timezone.localdate()
    advisers = advisers_for(request.user)
    form = TeamAbsenceForm(request.POST or None, advisers=advisers)
    def create():
        a = services.absence_plan_for(actor=staff, **form.cleaned_data)
        messages.success(request, f"Absence planned for {a.staff.name}. Set cover for their cases below.")
        return redirect("team_absences")

    if (done := submit_once(request, form, create)) is not None:
        return done
    planned = (PlannedAbsence.objects.filter(staff__in=advisers, end__gte=today)
               .select_related("staff", "staff__team").order_by("start", "staff__name"))
    return render(request, "casework/team_absences.html", {"form": form, "error_forms": [form], "planned": planned})


def _absence_for(request, pk: int) -> PlannedAbsence:
    try:
        return PlannedAbsence.objects.select_related("staff", "staff__team").get(
            pk=pk, staff__in=staff_visible_to(request.user))
    except (PlannedAbsence.DoesNotExist, ValueError) as exc:
        raise Http404("No such absence in your team.") from exc


@staff_required
def absence_cover(request, pk: int, *, staff):
    """Cover for the whole absence, for every case the PA holds, in one step: one covering PA for all, or a
    different one per case."""
    require_perm(request.user, "careleavers.plan_team_absences", None, "This page is for Team Leaders.")
    absence = _absence_for(request, pk)
    require_perm(request.user, "careleavers.plan_absence_for", absence.staff,
                 "A Team Leader sets cover only for the staff of their own team.")
    today = timezone.localdate()
    advisers = [a for a in advisers_for(request.user) if a.pk != absence.staff_id]
    cases = list(open_cases(absence.staff.caseload.all(), today=today).order_by("name"))
    by_pk = {a.pk: a for a in advisers}
    error = ""
    chosen: dict[int, str] = {}
    if request.method == "POST":
        everyone = request.POST.get("everyone", "")
        chosen = {yp.pk: request.POST.get(f"cover_{yp.pk}", "") or everyone for yp in cases}
        cover_by = {pk_: by_pk.get(int(v)) if v.isdigit() else None for pk_, v in chosen.items()}
        try:
            covers = services.cover_for_absence(absence=absence, actor=staff, cover_by=cover_by,
                                                reason=request.POST.get("reason", ""), today=today)
        except ServiceError as exc:
            error = str(exc) + (": " + ", ".join(exc.reasons) if exc.reasons else "")
        else:
            messages.success(request, f"Cover set for {len(covers)} case{'' if len(covers) == 1 else 's'} of "
                                      f"{absence.staff.name}.")
            return redirect("team_absences")
    rows = [{"yp": yp, "chosen": chosen.get(yp.pk, "")} for yp in cases]
    return render(request, "casework/absence_cover.html", {
        "absence": absence, "advisers": advisers, "rows": rows, "error": error,
        "everyone": request.POST.get("everyone", "") if request.method == "POST" else "",
    })
