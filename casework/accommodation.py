"""Issue 11, items 3 and 4: the accommodation history (with suitability, reg 9 and Schedule 2) and the
education, employment and training history, each with the form that records a change. Recording a move
raises the event it is and sets the circumstance as the council's pack says (compliance.services
accommodation_record, one transaction with the recompute)."""

import rules
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from careleavers import services
from careleavers.models import AccommodationPeriod, ActivityPeriod
from careleavers.selectors import young_person_for
from compliance import services as compliance_services
from compliance.selectors import due_summary
from core.audit import audit_view
from core.decorators import require_perm, staff_required

from .case_record_forms import AccommodationForm, ActivityForm
from .record_form import record_form_page

RECORD_ACCOMMODATION = "careleavers.record_accommodation"
RECORD_ACTIVITY = "careleavers.record_activity"
PAGE_SIZE = 25


@staff_required
def accommodation(request, pk: int, *, staff):
    young_person = young_person_for(request.user, pk=pk)
    audit_view(actor=staff, page="accommodation", young_person=young_person)  # issue 14, item 7
    page = Paginator(AccommodationPeriod.objects.filter(young_person=young_person).select_related("recorded_by")
                     .order_by("-start", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "casework/case_record/accommodation.html", {
        "yp": young_person, "page": page,
        "can_record": rules.has_perm(RECORD_ACCOMMODATION, request.user, young_person),
    })


@staff_required
def accommodation_new(request, pk: int, *, staff):
    young_person = young_person_for(request.user, pk=pk)
    require_perm(request.user, RECORD_ACCOMMODATION, young_person)
    form = AccommodationForm(request.POST or None)

    def record():
        period = compliance_services.accommodation_record(young_person=young_person, actor=staff, **form.cleaned_data)
        messages.success(request, f"Accommodation recorded: {period}. {due_summary(young_person)}")
        return redirect("case_record_accommodation", pk=young_person.pk)

    return record_form_page(
        request, young_person=young_person, form=form, record=record, title="Record accommodation",
        back="case_record_accommodation", back_label="Accommodation", submit="Record the accommodation",
        intro="A move into where they live now ends the current accommodation that day, raises the event it is "
              "(a B&B is an emergency placement: a visit within 7 days) and sets the circumstance as the "
              "council's policy says. For a past period, give when it ended.",
    )


@staff_required
def activity(request, pk: int, *, staff):
    young_person = young_person_for(request.user, pk=pk)
    audit_view(actor=staff, page="activity", young_person=young_person)  # issue 14, item 7
    page = Paginator(ActivityPeriod.objects.filter(young_person=young_person).select_related("recorded_by")
                     .order_by("-start", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "casework/case_record/activity.html", {
        "yp": young_person, "page": page, "can_record": rules.has_perm(RECORD_ACTIVITY, request.user, young_person),
    })


@staff_required
def activity_new(request, pk: int, *, staff):
    young_person = young_person_for(request.user, pk=pk)
    require_perm(request.user, RECORD_ACTIVITY, young_person)
    form = ActivityForm(request.POST or None)

    def record():
        period = services.activity_record(young_person=young_person, actor=staff, **form.cleaned_data)
        messages.success(request, f"Recorded: {period}.")
        return redirect("case_record_activity", pk=young_person.pk)

    return record_form_page(
        request, young_person=young_person, form=form, record=record,
        title="Record education, employment or training", back="case_record_activity",
        back_label="Education, employment and training", submit="Record it",
        intro="Something new from a date ends the current activity that day. For a past period, give when it ended.",
    )
