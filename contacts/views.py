"""Log a contact (C1-C3), void one recorded in error, record an escalation step (E1, E2), and the
management-oversight items a Team Leader answers (S5).

Each view reads the young person through careleavers.selectors first, so another team's young
person is a 404 for GET and POST alike, before anything is parsed or written; an action the
person may not take on a record they can see is a 403 with the reason (core.rules: "contacts.log_contact",
"contacts.record_escalation", "contacts.void_contact"). Service Leaders and the Head of Service read these
records and write none of them (issue 14: write rights follow duties).
"""

import rules
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from careleavers.selectors import young_person_for
from compliance.selectors import due_summary
from core.decorators import require_perm, staff_required
from core.errors import ServiceError, StaleVersion
from core.forms import add_service_error
from core.idempotency import once, submit_once

from . import services
from .forms import (
    ContactForm,
    CorrectContactForm,
    EscalationForm,
    OversightAnswerForm,
    VisitCheckForm,
    VoidContactForm,
)
from .models import Contact, EscalationStep
from .selectors import next_escalation_step, oversight_item_for, oversight_items_visible_to

LOG = "contacts.log_contact"
ESCALATE = "contacts.record_escalation"
VOID = "contacts.void_contact"


def _recordable_young_person(request, pk: int, permission: str = LOG):
    young_person = young_person_for(request.user, pk=pk)
    require_perm(request.user, permission, young_person)
    return young_person


@staff_required
def contact_log(request, pk: int, *, staff):
    young_person = _recordable_young_person(request, pk)
    short_term = services.needs_short_term_items(young_person)
    data = request.POST if request.method == "POST" else None
    initial = {"purpose": request.GET.get("purpose", "")} if request.method == "GET" else None
    form = ContactForm(data, initial=initial)
    check_form = VisitCheckForm(data, prefix="check", short_term=short_term)
    valid = data is not None and form.is_valid() & check_form.is_valid()
    if data is not None and not valid and services.needs_visit_check(**_visit_values(form)):
        # issue 15, item 3: the checklist's missing answers are reported with the form's own, not one round later.
        for name, message in services.visit_check_missing(young_person=young_person,
                                                          visit_check=check_form.values()).items():
            if name in check_form.fields and name not in check_form.errors:
                check_form.add_error(name, message)
    if valid:
        values = form.cleaned_data

        def log():
            services.contact_log(
                young_person=young_person, actor=staff, date=values["date"], time=values["time"],
                method=values["method"], with_whom=values["with_whom"], outcome=values["outcome"],
                third_party_name=values["third_party_name"], purpose=values["purpose"], note=values["note"],
                visit_check=check_form.values(), offered_date=values["offered_date"], offered_time=values["offered_time"],
            )
            messages.success(request, f"Contact recorded. {due_summary(young_person)}")
            return redirect("young_person", pk=young_person.pk)

        try:
            return once(request, form.once_token, log)
        except services.ChecklistIncomplete as exc:
            for name, message in exc.missing.items():  # issue 15, item 3: every missing answer, each by its question
                check_form.add_error(name if name in check_form.fields else None, message)
        except ServiceError as exc:
            field = getattr(exc, "field", None)
            add_service_error(check_form if field in check_form.fields else form, exc)
    return render(request, "contacts/contact_form.html", {
        "yp": young_person, "form": form, "check_form": check_form, "short_term": short_term,
        "show_visit_check": services.needs_visit_check(**_visit_values(form)) or bool(check_form.errors),
        "error_forms": [form, check_form],
    })


def _visit_values(form) -> dict:
    """How, with whom and the outcome as the form holds them (bound or initial)."""
    return {name: str(form[name].value() or "") for name in ("method", "with_whom", "outcome")}


@staff_required
@require_GET
def visit_check(request, pk: int, *, staff):
    """C3: the checklist fieldset when how, with whom and the outcome make it a completed home visit
    with the young person, else nothing (htmx swaps it into the contact form). When the form
    already shows it, 204 leaves it, and what was typed into it, alone."""
    young_person = _recordable_young_person(request, pk)
    applies = services.needs_visit_check(
        method=request.GET.get("method", ""), with_whom=request.GET.get("with_whom", ""),
        outcome=request.GET.get("outcome", ""),
    )
    if not applies:
        return HttpResponse("")
    if request.GET.get("visit_check_shown"):
        return HttpResponse(status=204)
    short_term = services.needs_short_term_items(young_person)
    return render(request, "contacts/_visit_check.html", {
        "yp": young_person, "short_term": short_term,
        "check_form": VisitCheckForm(prefix="check", short_term=short_term),
    })


@staff_required
def contact_void(request, pk: int, contact_pk: int, *, staff):
    young_person = young_person_for(request.user, pk=pk)
    try:
        contact = young_person.contacts.get(pk=contact_pk)
    except Contact.DoesNotExist as exc:
        raise Http404("No such contact.") from exc
    require_perm(request.user, VOID, contact)
    form = VoidContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_void(contact=contact, actor=staff, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Contact marked as recorded in error. {due_summary(young_person)}")
            return redirect("young_person", pk=young_person.pk)
    return render(request, "contacts/void_form.html", {
        "yp": young_person, "contact": contact, "form": form, "error_forms": [form],
    })


@staff_required
def escalation_record(request, pk: int, *, staff):
    young_person = _recordable_young_person(request, pk, ESCALATE)
    next_step = next_escalation_step(young_person=young_person)
    initial = {"step": request.GET.get("step") or (next_step.step if next_step else "")}
    form = EscalationForm(request.POST or None, initial=initial)
    def record():
        escalation = services.escalation_record(
            young_person=young_person, actor=staff, step=form.cleaned_data["step"],
            date=form.cleaned_data["date"], note=form.cleaned_data["note"],
        )
        messages.success(request, f"{EscalationStep(escalation.step).label} recorded.")
        return redirect("young_person", pk=young_person.pk)

    if (done := submit_once(request, form, record)) is not None:
        return done
    return render(request, "contacts/escalation_form.html", {
        "yp": young_person, "form": form, "next_step": next_step, "error_forms": [form],
    })


#: The oversight list shows every open item and the most recent answered ones.
ANSWERED_SHOWN = 50


@staff_required
def oversight_items(request, *, staff):
    """S5: the management-oversight items about the young people a manager sees, open ones first."""
    require_perm(request.user, "contacts.view_oversight_items", None, "Management-oversight items are for managers.")
    items = oversight_items_visible_to(request.user)
    return render(request, "contacts/oversight_items.html", {
        "open_items": list(items.filter(answered_at__isnull=True)),
        "answered": list(items.filter(answered_at__isnull=False)[:ANSWERED_SHOWN]),
    })


@staff_required
def oversight_item(request, pk: int, *, staff):
    """One item: what opened it and, once answered, the answer. The young person's Team Leader answers it;
    anyone else who sees the young person reads it (403 on POST), anyone else gets 404."""
    item = oversight_item_for(request.user, pk=pk)
    can_answer = item.is_open and rules.has_perm("contacts.answer_oversight_item", request.user, item.young_person)
    form = OversightAnswerForm(request.POST or None)
    if request.method == "POST":
        require_perm(request.user, "contacts.answer_oversight_item", item.young_person,
                     "Only the young person's Team Leader answers a management-oversight item.")
        if form.is_valid():
            try:
                services.oversight_item_answer(item=item, actor=staff, answer=form.cleaned_data["answer"])
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, "Your oversight is recorded.")
                return redirect("contacts:oversight_items")
    return render(request, "contacts/oversight_item.html", {
        "item": item, "yp": item.young_person, "form": form if can_answer or form.errors else None, "error_forms": [form],
    })


@staff_required
def contact_correct(request, pk: int, contact_pk: int, *, staff):
    """Issue 12, item 5: correct a contact as a new version with a reason; the due dates follow (V3). Someone else's
    young person is 404; a contact the person may not correct is 403 with the reason."""
    young_person = young_person_for(request.user, pk=pk)
    try:
        contact = young_person.contacts.get(pk=contact_pk)
    except Contact.DoesNotExist as exc:
        raise Http404("No such contact.") from exc
    require_perm(request.user, "contacts.correct_contact", contact)
    initial = {name: getattr(contact, name) for name in services.CORRECTABLE_FIELDS}
    form = CorrectContactForm(request.POST or None, initial=initial | {"version": services.contact_version(contact)})
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            services.contact_correct(contact=contact, actor=staff, version=values["version"], reason=values["reason"],
                                     date=values["date"], time=values["time"], method=values["method"],
                                     outcome=values["outcome"], note=values["note"])
        except StaleVersion as exc:
            contact.refresh_from_db()
            data = request.POST.copy()
            data["version"] = exc.current
            form = CorrectContactForm(data)
            form.is_valid()
            add_service_error(form, exc)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Contact corrected. {due_summary(young_person)}")
            return redirect("young_person", pk=young_person.pk)
    return render(request, "contacts/correct_form.html", {
        "yp": young_person, "contact": contact, "form": form, "error_forms": [form],
        "corrections": list(contact.corrections.select_related("corrected_by")),
        "can_view_history": rules.has_perm("careleavers.view_history", request.user, young_person),
    })
