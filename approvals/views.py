"""Arrangement pages: parse, call a service or selector, render (STYLE 4).

What a page offers comes from the transition table (approvals.transitions); the services check it
again. A refusal is shown once, in the form's error summary (core.forms.add_service_error); an
action the person may not take on a record they can see is 403, a record they may not see 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from careleavers.selectors import young_person_for
from core.decorators import staff_required
from core.errors import NotAllowed, ServiceError
from core.forms import add_service_error
from core.rules import refusal

from . import services
from .forms import FORMS, DecisionForm, StepBackItemForm
from .models import Arrangement, ArrangementKind, StepBackItem
from .selectors import arrangement_for, arrangements_awaiting
from .tables import ApprovalQueueTable
from .transitions import ARRANGEMENT_TRANSITIONS


def _detail(request, arrangement: Arrangement, status: int = 200, **forms):
    decisions = list(arrangement.decisions.select_related("actor"))
    given = {r.item: r for r in arrangement.step_back_items.select_related("recorded_by")}
    return render(request, "approvals/detail.html", {
        "arrangement": arrangement,
        "yp": arrangement.young_person,
        "decisions": decisions,
        "details": services.summarise(arrangement.details).splitlines(),
        "checklist": [(value, label, given.get(value)) for value, label in StepBackItem.choices],
        "decision_form": forms.get("decision_form") or DecisionForm(),
        "item_form": forms.get("item_form") or StepBackItemForm(initial={"given_on": timezone.localdate()}),
        "allowed": ARRANGEMENT_TRANSITIONS.allowed(arrangement, request.user),
    }, status=status)


def _add_refusal(form, exc: ServiceError) -> None:
    """R1, D1: every reason once, at the top of the form; any other refusal as the service gave it."""
    if not exc.reasons:
        add_service_error(form, exc)
        return
    form.add_error(None, "This request cannot be made:")
    for reason in exc.reasons:
        form.add_error(None, reason[:1].upper() + reason[1:] + ".")


@staff_required
def arrangement_request(request, yp_pk: int, kind: str, *, staff):
    young_person = young_person_for(request.user, pk=yp_pk)
    form_class = FORMS.get(kind)
    if form_class is None:
        raise Http404("No such kind of arrangement.")
    message = refusal("approvals.request_arrangement", request.user, young_person)
    if message:
        raise PermissionDenied(message)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            arrangement = services.arrangement_request(
                young_person=young_person, kind=kind, details=form.details(),
                keeping_in_touch=form.cleaned_data["keeping_in_touch"], actor=staff)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except ServiceError as exc:
            _add_refusal(form, exc)
        else:
            messages.success(request, "Your request was sent to the Team Leader.")
            return redirect("approvals:detail", pk=arrangement.pk)
    return render(request, "approvals/request.html", {
        "yp": young_person, "form": form, "kind_label": ArrangementKind(kind).label,
    }, status=400 if form.errors else 200)


@staff_required
def arrangement_detail(request, pk: int, *, staff):
    return _detail(request, arrangement_for(request.user, pk=pk))


def _decision_view(service, success: str, argument: str = "rationale"):
    @staff_required
    @require_POST
    def view(request, pk: int, *, staff):
        arrangement = arrangement_for(request.user, pk=pk)
        form = DecisionForm(request.POST)
        if not form.is_valid():
            return _detail(request, arrangement, status=400, decision_form=form)
        try:
            service(arrangement=arrangement, actor=staff, **{argument: form.cleaned_data["rationale"]})
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except ServiceError as exc:
            add_service_error(form, exc)
            return _detail(request, arrangement, status=400, decision_form=form)
        messages.success(request, success)
        return redirect("approvals:detail", pk=arrangement.pk)

    return view


approve = _decision_view(services.arrangement_approve, "Approved. The decision is recorded.")
agree = _decision_view(services.arrangement_agree, "Agreed: reduced visits are active from today.")
reject = _decision_view(services.arrangement_reject, "Rejected. Nothing else changes for the young person.")
withdraw = _decision_view(services.arrangement_withdraw, "The request was withdrawn.", argument="reason")
end = _decision_view(services.arrangement_end, "Ended: the standard contact pattern applies again.", argument="reason")


@staff_required
@require_POST
def step_back_item(request, pk: int, *, staff):
    arrangement = arrangement_for(request.user, pk=pk)
    form = StepBackItemForm(request.POST)
    if not form.is_valid():
        return _detail(request, arrangement, status=400, item_form=form)
    try:
        services.step_back_item_record(arrangement=arrangement, actor=staff, **form.cleaned_data)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except ServiceError as exc:
        add_service_error(form, exc)
        return _detail(request, arrangement, status=400, item_form=form)
    messages.success(request, "Recorded as given.")
    return redirect("approvals:detail", pk=arrangement.pk)


@staff_required
def open_door_letter(request, pk: int, *, staff):
    """S2: the printable "door is always open" letter, generated from the record."""
    arrangement = arrangement_for(request.user, pk=pk)
    if arrangement.kind != ArrangementKind.STEP_BACK:
        raise Http404("Only a step back has an open-door letter.")
    return render(request, "approvals/letter.html", services.open_door_letter(arrangement=arrangement))


QUEUE_PAGE_SIZE = 50


@staff_required
def queue(request, *, staff):
    """What waits for the signed-in manager's decision."""
    table = ApprovalQueueTable(arrangements_awaiting(request.user))
    RequestConfig(request, paginate={"per_page": QUEUE_PAGE_SIZE}).configure(table)  # sortable; queries: count, page
    return render(request, "approvals/queue.html", {"table": table, "page": table.page, "staff": staff})
