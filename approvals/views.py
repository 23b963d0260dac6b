"""Arrangement pages: parse, call a service or selector, render (STYLE 4)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from careleavers.models import Role
from careleavers.selectors import staff_for, young_person_for
from core.errors import ServiceError

from . import services
from .forms import FORMS, DecisionForm, StepBackItemForm
from .models import PENDING_STATES, Arrangement, ArrangementKind, ArrangementState, StepBackItem
from .selectors import arrangement_for, arrangements_awaiting


def actions_for(staff, arrangement: Arrangement) -> dict[str, bool]:
    """What the page offers; the services check again."""
    role = staff.role if staff else None
    yp = arrangement.young_person
    own_team_tl = role == Role.TEAM_LEADER and yp.pa_id is not None and yp.pa.team_id == staff.team_id
    not_requester = staff is not None and arrangement.requested_by_id != staff.pk
    state = arrangement.state
    return {
        "can_approve": own_team_tl and not_requester and state == ArrangementState.REQUESTED,
        "can_agree": role == Role.SERVICE_LEADER and not_requester and state == ArrangementState.TEAM_LEADER_APPROVED,
        "can_withdraw": role == Role.PA and state in PENDING_STATES,
        "can_end": state == ArrangementState.ACTIVE and (
            role in (Role.PA, Role.SERVICE_LEADER, Role.HEAD_OF_SERVICE) or own_team_tl),
        "can_record_items": role == Role.PA and arrangement.kind == ArrangementKind.STEP_BACK
        and state in (*PENDING_STATES, ArrangementState.ACTIVE),
    }


def _detail(request, arrangement: Arrangement, status: int = 200, error: str = "", **forms):
    staff = staff_for(request.user)
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
        "error": error,
        **actions_for(staff, arrangement),
    }, status=status)


@login_required
def arrangement_request(request, yp_pk: int, kind: str):
    young_person = young_person_for(request.user, pk=yp_pk)
    form_class = FORMS.get(kind)
    if form_class is None:
        raise Http404("No such kind of arrangement.")
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            arrangement = services.arrangement_request(
                young_person=young_person, kind=kind, details=form.details(),
                keeping_in_touch=form.cleaned_data["keeping_in_touch"], actor=staff_for(request.user))
        except services.NotEligible as exc:
            form.add_error(None, "This request cannot be made:")
            for reason in exc.reasons:
                form.add_error(None, reason[:1].upper() + reason[1:] + ".")
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Your request was sent to the Team Leader.")
            return redirect("approvals:detail", pk=arrangement.pk)
    return render(request, "approvals/request.html", {
        "yp": young_person, "form": form, "kind_label": ArrangementKind(kind).label,
    }, status=400 if form.errors else 200)


@login_required
def arrangement_detail(request, pk: int):
    return _detail(request, arrangement_for(request.user, pk=pk))


def _decision_view(service, success: str, argument: str = "rationale"):
    @login_required
    @require_POST
    def view(request, pk: int):
        arrangement = arrangement_for(request.user, pk=pk)
        form = DecisionForm(request.POST)
        if not form.is_valid():
            return _detail(request, arrangement, status=400, decision_form=form)
        try:
            service(arrangement=arrangement, actor=staff_for(request.user), **{argument: form.cleaned_data["rationale"]})
        except ServiceError as exc:
            return _detail(request, arrangement, status=400, error=str(exc), decision_form=form)
        messages.success(request, success)
        return redirect("approvals:detail", pk=arrangement.pk)

    return view


approve = _decision_view(services.arrangement_approve, "Approved. The decision is recorded.")
agree = _decision_view(services.arrangement_agree, "Agreed: reduced visits are active from today.")
reject = _decision_view(services.arrangement_reject, "Rejected. Nothing else changes for the young person.")
withdraw = _decision_view(services.arrangement_withdraw, "The request was withdrawn.", argument="reason")
end = _decision_view(services.arrangement_end, "Ended: the standard contact pattern applies again.", argument="reason")


@login_required
@require_POST
def step_back_item(request, pk: int):
    arrangement = arrangement_for(request.user, pk=pk)
    form = StepBackItemForm(request.POST)
    if not form.is_valid():
        return _detail(request, arrangement, status=400, item_form=form)
    try:
        services.step_back_item_record(arrangement=arrangement, actor=staff_for(request.user), **form.cleaned_data)
    except ServiceError as exc:
        return _detail(request, arrangement, status=400, error=str(exc), item_form=form)
    messages.success(request, "Recorded as given.")
    return redirect("approvals:detail", pk=arrangement.pk)


@login_required
def open_door_letter(request, pk: int):
    """S2: the printable "door is always open" letter, generated from the record."""
    arrangement = arrangement_for(request.user, pk=pk)
    if arrangement.kind != ArrangementKind.STEP_BACK:
        raise Http404("Only a step back has an open-door letter.")
    return render(request, "approvals/letter.html", services.open_door_letter(arrangement=arrangement))


@login_required
def queue(request):
    """What waits for the signed-in manager's decision."""
    page = Paginator(arrangements_awaiting(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "approvals/queue.html", {"page": page, "staff": staff_for(request.user)})
