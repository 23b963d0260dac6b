"""Log a contact (C1-C3), void one recorded in error, record an escalation step (E1, E2).

Each view reads the young person through careleavers.selectors first, so another team's young
person is a 404 for GET and POST alike, before anything is parsed or written.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from careleavers.selectors import staff_for, young_person_for
from compliance.selectors import due_summary
from core.errors import ServiceError
from core.forms import add_service_error

from . import services
from .forms import ContactForm, EscalationForm, VisitCheckForm, VoidContactForm
from .models import Contact, EscalationStep
from .selectors import next_escalation_step


@login_required
def contact_log(request, pk: int):
    young_person = young_person_for(request.user, pk=pk)
    short_term = services.needs_short_term_items(young_person)
    data = request.POST if request.method == "POST" else None
    initial = {"purpose": request.GET.get("purpose", "")} if request.method == "GET" else None
    form = ContactForm(data, initial=initial)
    check_form = VisitCheckForm(data, prefix="check", short_term=short_term)
    if data is not None and form.is_valid() & check_form.is_valid():
        values = form.cleaned_data
        try:
            services.contact_log(
                young_person=young_person, actor=staff_for(request.user), date=values["date"], time=values["time"],
                method=values["method"], with_whom=values["with_whom"], outcome=values["outcome"],
                third_party_name=values["third_party_name"], purpose=values["purpose"], note=values["note"],
                visit_check=check_form.values(),
            )
        except ServiceError as exc:
            field = getattr(exc, "field", None)
            add_service_error(check_form if field in check_form.fields else form, exc)
        else:
            messages.success(request, f"Contact recorded. {due_summary(young_person)}")
            return redirect("young_person", pk=young_person.pk)
    return render(request, "contacts/contact_form.html", {
        "yp": young_person, "form": form, "check_form": check_form, "short_term": short_term,
        "error_forms": [form, check_form],
    })


@login_required
def contact_void(request, pk: int, contact_pk: int):
    young_person = young_person_for(request.user, pk=pk)
    try:
        contact = young_person.contacts.get(pk=contact_pk)
    except Contact.DoesNotExist as exc:
        raise Http404("No such contact.") from exc
    form = VoidContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_void(contact=contact, actor=staff_for(request.user), reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Contact marked as recorded in error. {due_summary(young_person)}")
            return redirect("young_person", pk=young_person.pk)
    return render(request, "contacts/void_form.html", {
        "yp": young_person, "contact": contact, "form": form, "error_forms": [form],
    })


@login_required
def escalation_record(request, pk: int):
    young_person = young_person_for(request.user, pk=pk)
    next_step = next_escalation_step(young_person=young_person)
    initial = {"step": request.GET.get("step") or (next_step.step if next_step else "")}
    form = EscalationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            escalation = services.escalation_record(
                young_person=young_person, actor=staff_for(request.user), step=form.cleaned_data["step"],
                date=form.cleaned_data["date"], note=form.cleaned_data["note"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{EscalationStep(escalation.step).label} recorded.")
            return redirect("young_person", pk=young_person.pk)
    return render(request, "contacts/escalation_form.html", {
        "yp": young_person, "form": form, "next_step": next_step, "error_forms": [form],
    })
