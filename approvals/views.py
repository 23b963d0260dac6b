"""Arrangement pages: parse, call a service or selector, render (STYLE 4).

What a page offers comes from the transition table (approvals.transitions); the services check it
again. A refusal is shown once, in the form's error summary (core.forms.add_service_error); an
action the person may not take on a record they can see is 403, a record they may not see 404.
"""

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from careleavers.models import CaseNoteKind
from careleavers.selectors import young_person_for
from compliance import services as compliance_services
from compliance.models import RequirementCode
from compliance.selectors import pack_intervals_for
from core.audit import audit_view
from core.decorators import require_perm, staff_required
from core.errors import NotAllowed, ServiceError
from core.forms import add_service_error
from core.registry import decision_context

from . import services
from .forms import (
    FORMS,
    DecisionForm,
    IntervalClearForm,
    IntervalOverrideForm,
    StepBackApproveForm,
    StepBackItemForm,
    VulnerableForm,
)
from .models import Arrangement, ArrangementKind, ArrangementState, StepBackItem
from .selectors import arrangement_for, arrangements_awaiting
from .tables import ApprovalQueueTable
from .transitions import ARRANGEMENT_TRANSITIONS


def _decision_form(arrangement: Arrangement, data=None) -> DecisionForm:
    """The decision form; for a step back still waiting, with a reason field per S2 item not yet given."""
    if arrangement.kind == ArrangementKind.STEP_BACK and arrangement.state == ArrangementState.REQUESTED:
        return StepBackApproveForm(data, missing=services.step_back_items_missing(arrangement))
    return DecisionForm(data)


def _detail(request, arrangement: Arrangement, status: int = 200, **forms):
    decisions = list(arrangement.decisions.select_related("actor"))
    records: dict[str, list] = {}
    for record in arrangement.step_back_items.select_related("recorded_by"):
        records.setdefault(record.item, []).append(record)
    return render(request, "approvals/detail.html", {
        "arrangement": arrangement,
        "yp": arrangement.young_person,
        "decisions": decisions,
        "details": services.summarise(arrangement.details).splitlines(),
        # S2: per item, the record of it given (if any), and why it could not be given (if recorded).
        "checklist": [
            (value, label, next((r for r in records.get(value, []) if r.given_on), None),
             next((r for r in records.get(value, []) if not r.given_on), None))
            for value, label in StepBackItem.choices
        ],
        "decision_form": forms.get("decision_form") or _decision_form(arrangement),
        "item_form": forms.get("item_form") or StepBackItemForm(initial={"given_on": timezone.localdate()}),
        "allowed": ARRANGEMENT_TRANSITIONS.allowed(arrangement, request.user),
        "decision_context": _decision_context(request, arrangement.young_person),  # issue 15, item 5
    }, status=status)


def _decision_context(request, young_person) -> dict | None:
    if not rules.has_perm("careleavers.view_decision_context", request.user):
        return None
    return decision_context(young_person=young_person, today=timezone.localdate())


@staff_required
def arrangement_request(request, yp_pk: int, kind: str, *, staff):
    young_person = young_person_for(request.user, pk=yp_pk)
    form_class = FORMS.get(kind)
    if form_class is None:
        raise Http404("No such kind of arrangement.")
    require_perm(request.user, "approvals.request_arrangement", young_person)
    if kind == ArrangementKind.REDUCED_VISITS and request.method != "POST":
        # issue 15, item 4: say no before the form when the record alone rules it out (R1).
        refusals = services.reduced_visits_refusals_from_record(young_person=young_person, on=timezone.localdate())
        if refusals:
            return render(request, "approvals/request.html", {
                "yp": young_person, "kind_label": ArrangementKind(kind).label,
                "not_offered": [services.plain(r) for r in refusals],
            })
    # issue 15, item 4: the vulnerable box starts from the record (R1).
    initial = {"at_risk": young_person.vulnerable} if kind == ArrangementKind.REDUCED_VISITS else None
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            arrangement = services.arrangement_request(
                young_person=young_person, kind=kind, details=form.details(),
                keeping_in_touch=form.cleaned_data["keeping_in_touch"], actor=staff)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Your request was sent to the Team Leader.")
            return redirect("approvals:detail", pk=arrangement.pk)
    return render(request, "approvals/request.html", {
        "yp": young_person, "form": form, "kind_label": ArrangementKind(kind).label,
    }, status=400 if form.errors else 200)


@staff_required
def arrangement_detail(request, pk: int, *, staff):
    arrangement = arrangement_for(request.user, pk=pk)
    audit_view(actor=staff, page="arrangement", young_person_id=arrangement.young_person_id,
               arrangement=arrangement.pk)  # issue 14, item 7
    return _detail(request, arrangement)


def _decision_view(service, success: str, argument: str = "rationale"):
    @staff_required
    @require_POST
    def view(request, pk: int, *, staff):
        arrangement = arrangement_for(request.user, pk=pk)
        form = _decision_form(arrangement, request.POST)
        if not form.is_valid():
            return _detail(request, arrangement, status=400, decision_form=form)
        extra = {"not_given": form.not_given()} if service is services.arrangement_approve and isinstance(
            form, StepBackApproveForm) else {}
        try:
            service(arrangement=arrangement, actor=staff, **{argument: form.cleaned_data["rationale"]}, **extra)
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
continue_after_review = _decision_view(services.arrangement_review_continue,
                                       "Reviewed: the arrangement continues. Your reasons are recorded.")


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


@staff_required
def vulnerable(request, yp_pk: int, *, staff):
    """R1, E2: mark the young person vulnerable or at risk (or no longer), with why."""
    young_person = young_person_for(request.user, pk=yp_pk)
    require_perm(request.user, "careleavers.flag_vulnerable", young_person)
    form = VulnerableForm(request.POST or None, initial={"vulnerable": not young_person.vulnerable})
    if request.method == "POST" and form.is_valid():
        try:
            services.young_person_flag_vulnerable(young_person=young_person, actor=staff, **form.cleaned_data)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Recorded. Any reduced-visits arrangement is put up for review."  # R1
                             if form.cleaned_data["vulnerable"] else "Recorded.")
            return redirect("young_person", pk=young_person.pk)
    return render(request, "approvals/vulnerable.html", {"yp": young_person, "form": form},
                  status=400 if form.errors else 200)


def _supervision_notes(young_person):
    """Issue 12, item 3 (T4): the young person's supervision notes (current versions), newest first, to name the one
    that agreed an interval."""
    return (young_person.case_notes.filter(kind=CaseNoteKind.SUPERVISION, correction__isnull=True)
            .select_related("supervision", "author").order_by("-created_at", "-id"))


def _intervals_page(request, young_person, *, form=None, clear_form=None, status=200):
    today = timezone.localdate()
    pack = pack_intervals_for(young_person, on=today)
    overrides = [
        (o, RequirementCode(o.requirement).label if o.requirement in RequirementCode.values else o.requirement,
         pack.get(o.requirement), IntervalClearForm(initial={"requirement": o.requirement}, auto_id=False))
        for o in young_person.interval_overrides.select_related("agreed_by", "supervision_note__supervision")
        .order_by("requirement")
    ]
    return render(request, "approvals/intervals.html", {
        "yp": young_person,
        "overrides": overrides,
        "form": form or IntervalOverrideForm(pack_intervals=pack, supervision_notes=_supervision_notes(young_person)),
        "clear_form": clear_form,
    }, status=status)


@staff_required
def intervals(request, yp_pk: int, *, staff):
    """T4, reg 7: the intervals a manager agreed for this young person; set one (a longer one with the reason)."""
    young_person = young_person_for(request.user, pk=yp_pk)
    require_perm(request.user, "compliance.set_interval_override", young_person)
    if request.method != "POST":
        return _intervals_page(request, young_person)
    form = IntervalOverrideForm(request.POST, pack_intervals=pack_intervals_for(young_person),
                                supervision_notes=_supervision_notes(young_person))
    if form.is_valid():
        try:
            compliance_services.interval_override_set(young_person=young_person, actor=staff, **form.cleaned_data)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "The agreed interval is recorded and the due date recalculated.")
            return redirect("approvals:intervals", yp_pk=young_person.pk)
    return _intervals_page(request, young_person, form=form, status=400)


@staff_required
@require_POST
def interval_clear(request, yp_pk: int, *, staff):
    young_person = young_person_for(request.user, pk=yp_pk)
    require_perm(request.user, "compliance.set_interval_override", young_person)
    form = IntervalClearForm(request.POST)
    if form.is_valid():
        try:
            compliance_services.interval_override_clear(young_person=young_person, actor=staff, **form.cleaned_data)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "The agreed interval is cleared: the policy's interval applies again.")
            return redirect("approvals:intervals", yp_pk=young_person.pk)
    return _intervals_page(request, young_person, clear_form=form, status=400)
