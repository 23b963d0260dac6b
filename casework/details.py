"""Issue 11, item 2: the young person's Details page (identity and contact details, the address history and
the key professionals), viewed by whoever sees the record and edited by a PA on the case, their Team Leader
or a Service Leader. Views parse, call a service, render; someone else's young person is a 404."""

import rules
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from careleavers import services
from careleavers.models import AddressPeriod, KeyProfessional, LegalStatusChange
from careleavers.selectors import young_person_for
from core.audit import audit_view
from core.decorators import require_perm, staff_required
from core.errors import ServiceError, StaleVersion
from core.forms import add_service_error

from .case_record_forms import AddressForm, DetailsForm, ProfessionalEndForm, ProfessionalForm
from .record_form import record_form_page

EDIT = "careleavers.edit_details"
HISTORY_PAGE_SIZE = 25


@staff_required
def details(request, pk: int, *, staff):
    """The details and, for those who may, the versioned edit form (a save over a later save is refused)."""
    young_person = young_person_for(request.user, pk=pk)
    can_edit = rules.has_perm(EDIT, request.user, young_person)
    form = None
    if can_edit:
        initial = {f: getattr(young_person, f) for f in services.DETAILS_FIELDS}
        initial["read_version"] = services.details_version(young_person)
        form = DetailsForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require_perm(request.user, EDIT, young_person)
        if form is not None and form.is_valid():
            try:
                services.young_person_details_update(young_person=young_person, actor=staff, **form.cleaned_data)
            except StaleVersion as exc:
                add_service_error(form, exc)
                form.data = form.data.copy()
                form.data["read_version"] = exc.current  # a second save is then a deliberate one
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, "Details saved.")
                return redirect("case_record_details", pk=young_person.pk)
    else:
        audit_view(actor=staff, page="details", young_person=young_person)  # issue 14, item 7
    addresses = Paginator(AddressPeriod.objects.filter(young_person=young_person).select_related("recorded_by")
                          .order_by("-start", "-id"), HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    professionals = list(KeyProfessional.objects.filter(young_person=young_person).order_by("ended_on", "role", "name"))
    # Item 5 (T8): the legal status history, for everyone who sees the record (the change page is the Team Leader's).
    legal_statuses = list(LegalStatusChange.objects.filter(young_person=young_person).select_related("recorded_by")
                          .order_by("-from_date"))
    return render(request, "casework/case_record/details.html", {
        "yp": young_person, "form": form, "error_forms": [form] if form is not None else [], "can_edit": can_edit,
        "page": addresses, "professionals": professionals, "legal_statuses": legal_statuses, "end_form": ProfessionalEndForm(),
    })


@staff_required
def address_new(request, pk: int, *, staff):
    young_person = young_person_for(request.user, pk=pk)
    require_perm(request.user, EDIT, young_person)
    form = AddressForm(request.POST or None)

    def record():
        services.address_record(young_person=young_person, actor=staff, **form.cleaned_data)
        messages.success(request, "Address recorded.")
        return redirect("case_record_details", pk=young_person.pk)

    return record_form_page(
        request, young_person=young_person, form=form, record=record, title="Record an address",
        back="case_record_details", back_label="Details", submit="Record the address",
        intro="A new address from a date ends the current one that day. For a past address, give when it ended.",
    )


@staff_required
def professional_new(request, pk: int, *, staff):
    young_person = young_person_for(request.user, pk=pk)
    require_perm(request.user, EDIT, young_person)
    form = ProfessionalForm(request.POST or None)

    def record():
        professional = services.professional_add(young_person=young_person, actor=staff, **form.cleaned_data)
        messages.success(request, f"{professional} added.")
        return redirect("case_record_details", pk=young_person.pk)

    return record_form_page(
        request, young_person=young_person, form=form, record=record, title="Add a key professional",
        back="case_record_details", back_label="Details", submit="Add the professional",
        intro="The GP, the lead social worker and anyone else the young person's support depends on.",
    )


@staff_required
@require_POST
def professional_end(request, pk: int, professional_pk: int, *, staff):
    young_person = young_person_for(request.user, pk=pk)
    require_perm(request.user, EDIT, young_person)
    professional = KeyProfessional.objects.filter(young_person=young_person, pk=professional_pk).first()
    if professional is None:
        raise Http404("No such professional on this record.")
    form = ProfessionalEndForm(request.POST)
    if form.is_valid():
        try:
            services.professional_end(professional=professional, actor=staff, **form.cleaned_data)
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{professional.name} recorded as no longer involved.")
    else:
        messages.error(request, "Give the date from which they are no longer involved.")
    return redirect("case_record_details", pk=young_person.pk)
