"""Pages of issue 11 (items 1 and 8): registering a referral, the unallocated queue, closing and reopening a
case, and the request for support to 25 (s3). Views parse, call a selector or service, and render; a young
person the user may not see is a 404, an action they may not take on one they see is a 403."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect, render
from django.utils import timezone

from careleavers.models import CaseClosure
from careleavers.selectors import advisers_for, teams_visible_to, unallocated_for, young_person_for
from compliance import services
from compliance.models import Requirement, RequirementCode
from compliance.selectors import due_summary
from compliance.status import status_for
from core.decorators import require_perm, staff_required
from core.errors import ServiceError
from core.forms import add_service_error
from core.idempotency import submit_once

from .case_forms import CloseForm, ExtendedSupportForm, RegisterForm, ReopenForm

PAGE_SIZE = 25


@staff_required
def register(request, *, staff):
    """Issue 11, item 1: a Team Leader (for their team) or the Service Leader registers a referral."""
    require_perm(request.user, "careleavers.register_young_person", None,
                 "Only a Team Leader or the Service Leader registers a young person.")
    form = RegisterForm(request.POST or None, teams=teams_visible_to(request.user),
                        initial={"referring_team": staff.team_id} if staff.team_id else None)
    def create():
        values = form.cleaned_data
        young_person = services.young_person_register(actor=staff, **values)
        messages.success(request, f"{young_person.name} is registered ({young_person.ref}) and waits for a "
                                  f"Personal Adviser. {due_summary(young_person)}")
        return redirect("young_person", pk=young_person.pk)

    if (done := submit_once(request, form, create)) is not None:
        return done
    return render(request, "casework/register.html", {"form": form, "error_forms": [form]})


@staff_required
def unallocated(request, *, staff):
    """Issue 11, item 1: who waits for a PA and for how many days ("PA allocated" is overdue after the pack's
    allocation_days): a Team Leader's referrals, the Service Leader's for every team. Three queries."""
    require_perm(request.user, "careleavers.view_unallocated", None, "The unallocated queue is for managers.")
    today = timezone.localdate()
    row = Requirement.objects.filter(young_person=OuterRef("pk"), code=RequirementCode.PA_ALLOCATED)
    people = unallocated_for(request.user, today=today).annotate(
        allocation_due=Subquery(row.values("due")[:1]), allocation_soon=Subquery(row.values("due_soon_from")[:1]))
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    for yp in page:
        yp.days_waiting = (today - yp.referred_on).days
        yp.allocation_status = (status_for(yp.allocation_due, yp.allocation_soon, today)
                                if yp.allocation_due else None)
    return render(request, "casework/unallocated.html", {"page": page, "today": today})


@staff_required
def close(request, pk: int, *, staff):
    """Issue 11, item 8: close the case with its reason and date."""
    young_person = young_person_for(request.user, pk=pk)
    require_perm(request.user, "careleavers.close_case", young_person)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            closure = services.case_close(young_person=young_person, actor=staff, **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{young_person.name}'s case is closed ({closure.get_reason_display().lower()}).")
            return redirect("young_person", pk=young_person.pk)
    return render(request, "casework/close.html", {"yp": young_person, "form": form, "error_forms": [form],
                                                   "closures": _closures(young_person)})


@staff_required
def reopen(request, pk: int, *, staff):
    """Issue 11, item 8: reopen for a young person who comes back; the pattern starts again that day."""
    young_person = young_person_for(request.user, pk=pk)
    require_perm(request.user, "careleavers.reopen_case", young_person)
    initial = {"pa": young_person.pa_id} if young_person.pa_id else None
    form = ReopenForm(request.POST or None, advisers=advisers_for(request.user), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_reopen(young_person=young_person, actor=staff, **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{young_person.name}'s case is reopened. {due_summary(young_person)}")
            return redirect("young_person", pk=young_person.pk)
    return render(request, "casework/reopen.html", {"yp": young_person, "form": form, "error_forms": [form],
                                                    "closures": _closures(young_person)})


@staff_required
def extended_support(request, pk: int, *, staff):
    """CSWA 2017, s3: the request for a PA to 25, with its date."""
    young_person = young_person_for(request.user, pk=pk)
    require_perm(request.user, "careleavers.record_extended_support", young_person)
    form = ExtendedSupportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.extended_support_request(young_person=young_person, actor=staff, **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Support to 25 recorded for {young_person.name}. {due_summary(young_person)}")
            return redirect("young_person", pk=young_person.pk)
    return render(request, "casework/extended_support.html", {"yp": young_person, "form": form, "error_forms": [form]})


def _closures(young_person):
    return CaseClosure.objects.filter(young_person=young_person).select_related("closed_by", "reopened_by", "pa")
