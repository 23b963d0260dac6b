"""Issue 11, item 7: the flags on a record (vulnerable, at risk, hazard or lone-working warning, missing
episodes, exploitation concern): who set each, when and why, and when it was cleared. Setting or clearing a
vulnerable or at-risk flag re-checks pending and active reduced visits (R1, approvals.services)."""

import rules
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from approvals import services
from careleavers.models import Flag
from careleavers.selectors import young_person_for
from core.audit import audit_view
from core.decorators import require_perm, staff_required
from core.errors import ServiceError
from core.idempotency import submit_once

from .case_record_forms import FlagClearForm, FlagForm

SET_FLAG = "careleavers.set_flag"
PAGE_SIZE = 25


@staff_required
def flags(request, pk: int, *, staff):
    young_person = young_person_for(request.user, pk=pk)
    can_set = rules.has_perm(SET_FLAG, request.user, young_person)
    form = FlagForm(request.POST or None) if can_set else None
    if request.method == "POST":
        require_perm(request.user, SET_FLAG, young_person)

        def record():
            flag = services.flag_set(young_person=young_person, actor=staff, **form.cleaned_data)
            messages.success(request, f"Flag set: {flag.get_kind_display()}.")
            return redirect("case_record_flags", pk=young_person.pk)

        if form is not None and (done := submit_once(request, form, record)) is not None:
            return done
    else:
        audit_view(actor=staff, page="flags", young_person=young_person)  # issue 14, item 7
    page = Paginator(Flag.objects.filter(young_person=young_person).select_related("set_by", "cleared_by")
                     .order_by("cleared_on", "-set_on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "casework/case_record/flags.html", {
        "yp": young_person, "form": form, "error_forms": [form] if form is not None else [], "page": page,
        "can_set": can_set, "clear_form": FlagClearForm(),
    })


@staff_required
@require_POST
def flag_clear(request, pk: int, flag_pk: int, *, staff):
    young_person = young_person_for(request.user, pk=pk)
    require_perm(request.user, SET_FLAG, young_person)
    flag = Flag.objects.filter(young_person=young_person, pk=flag_pk).first()
    if flag is None:
        raise Http404("No such flag on this record.")
    form = FlagClearForm(request.POST)
    if form.is_valid():
        try:
            services.flag_clear(flag=flag, actor=staff, **form.cleaned_data)
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Flag cleared: {flag.get_kind_display()}.")
    else:
        messages.error(request, "Give the date and why the flag no longer applies.")
    return redirect("case_record_flags", pk=young_person.pk)
