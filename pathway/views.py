"""Pathway plan pages: parse, call a service or selector, render (STYLE 4).

What a page offers comes from the transition table (pathway.transitions); the services check it
again. A refusal is shown once, in the form's error summary (core.forms.add_service_error); an
action the person may not take on a plan they can see is 403, a plan they may not see 404.
"""

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from approvals.forms import FORMS as ARRANGEMENT_FORMS
from approvals.models import ArrangementKind
from approvals.selectors import arrangement_for
from careleavers.selectors import young_person_for
from core.audit import audit_view
from core.decorators import staff_required
from core.errors import InvalidState, NotAllowed, ServiceError, StaleVersion
from core.forms import add_service_error
from core.registry import decision_context

from . import services
from .documents import plan_document
from .forms import ActionFormSet, ApproveOnPlanForm, PlanForm, ReturnForm, SharedForm, SignOffForm, action_initial, action_rows
from .models import DIMENSION_FIELDS, ENTITLEMENTS, STEP_BACK_SECTIONS, Dimension, PathwayPlan, PlanAction
from .selectors import actions_of, plan_for, plans_to_sign_off, previous_version, visit_before_review
from .structure import changes_since, contact_refusal, dimensions_for, label
from .tables import SignOffQueueTable
from .transitions import PLAN_TRANSITIONS


def _reading(plan: PathwayPlan) -> dict:
    """Issue 13, item 6: the plan as it reads: needs by dimension, the actions table, what changed since the
    last signed-off version (compared here, field by field), the contact arrangements checked against the
    arrangement in force, and an earlier plan's free text where the new structure is empty. Fixed queries."""
    previous = previous_version(plan)
    actions = actions_of(plan, previous)
    changes = changes_since(plan, previous, actions=actions[plan.pk], previous_actions=actions.get(previous.pk)
                            if previous else None)
    changed = {c.field for c in changes}
    needs = []
    for dimension in dimensions_for(plan.kind):
        assessment, words = DIMENSION_FIELDS[dimension]
        needs.append({"label": Dimension(dimension).label, "words": getattr(plan, words),
                      "assessment": getattr(plan, assessment), "changed": bool({words, assessment} & changed)})
    structured = (any(n["words"] for n in needs) or bool(actions[plan.pk]) or bool(plan.contact_method)
                  or bool(plan.contingency_plan) or bool(plan.participation))
    return {
        "previous": previous, "changes": changes, "changed": changed, "needs": needs,
        "actions": actions[plan.pk],
        "entitlements": [(label_, getattr(plan, name), name in changed) for name, label_ in ENTITLEMENTS.items()],
        "step_back": [(label(name), getattr(plan, name)) for name in STEP_BACK_SECTIONS] if plan.kind == "step_back" else [],
        "contact_problem": contact_refusal(plan, method=plan.contact_method, every_weeks=plan.contact_every_weeks),
        # A plan written before the structure (nine free-text boxes): its text reads as earlier plan text, under
        # the need it was about (issue 13, item 1).
        "earlier": not structured and any(n["assessment"] for n in needs),
    }


def _detail(request, plan: PathwayPlan, status: int = 200, form=None, error: str = "", **forms):
    """The plan page; `form` is the one posted, whose errors the summary at the top lists (`error`:
    a refusal of an action that has no form)."""
    context = {
        "plan": plan,
        "yp": plan.young_person,
        **_reading(plan),
        "decisions": plan.decisions.select_related("actor"),
        "visit": visit_before_review(plan),  # reg 8(2)(b)
        "return_form": forms.get("return_form") or ReturnForm(),
        "sign_off_form": forms.get("sign_off_form") or SignOffForm(),
        "shared_form": forms.get("shared_form") or SharedForm(initial={"shared_on": timezone.localdate()}),
        "form": form,
        "error": error,
        "allowed": PLAN_TRANSITIONS.allowed(plan, request.user),
        # issue 15, item 5: the young person's situation beside the sign-off, for the managers who decide.
        "decision_context": (decision_context(young_person=plan.young_person, today=timezone.localdate())
                             if rules.has_perm("careleavers.view_decision_context", request.user) else None),
    }
    return render(request, "pathway/plan_detail.html", context, status=status)


@staff_required
@require_POST
def plan_start(request, yp_pk: int, *, staff):
    young_person = young_person_for(request.user, pk=yp_pk)
    try:
        plan = services.plan_start(young_person=young_person, actor=staff)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except ServiceError as exc:
        # No form on the young person's page: the refusal is the one message there.
        messages.error(request, str(exc))
        return redirect("young_person", pk=young_person.pk)
    messages.success(request, f"Version {plan.version} of the pathway plan started.")
    return redirect("pathway:edit", pk=plan.pk)


@staff_required
def plan_detail(request, pk: int, *, staff):
    plan = plan_for(request.user, pk=pk)
    audit_view(actor=staff, page="plan", young_person_id=plan.young_person_id, plan=plan.pk)  # issue 14, item 7
    return _detail(request, plan)


@staff_required
def plan_edit(request, pk: int, *, staff):
    plan = plan_for(request.user, pk=pk)
    try:
        PLAN_TRANSITIONS.check(plan, "edit", user=request.user)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except InvalidState:
        messages.info(request, "This plan is not open for editing.")
        return redirect("pathway:detail", pk=plan.pk)
    form = PlanForm(request.POST or None, plan=plan)
    # The actions (issue 13): a form posted without the actions' rows (an older page) leaves them as they are.
    posted_actions = request.method == "POST" and "actions-TOTAL_FORMS" in request.POST
    actions = ActionFormSet(request.POST if posted_actions else None, prefix="actions", initial=action_initial(plan))
    if request.method == "POST" and form.is_valid() and (not posted_actions or actions.is_valid()):
        try:
            services.plan_update(plan=plan, actor=staff, content=form.content(),
                                 actions=action_rows(actions) if posted_actions else None,
                                 read_at=form.cleaned_data["read_at"])
            if "submit" in request.POST:
                services.plan_submit(plan=plan, actor=staff)
                messages.success(request, "The plan was sent to the Team Leader for sign-off.")
            else:
                messages.success(request, "Draft saved. You can come back to it at any time.")
            return redirect("pathway:detail", pk=plan.pk)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except StaleVersion as exc:
            # Nothing was saved. Keep what they typed, read at the version now saved, so a second save is
            # a deliberate one made after seeing what changed.
            plan.refresh_from_db()
            data = request.POST.copy()
            data["read_at"] = exc.current
            form = PlanForm(data, plan=plan)
            form.is_valid()
            add_service_error(form, exc)
        except ServiceError as exc:
            add_service_error(form, exc)
    last_return = plan.decisions.filter(action=PlanAction.RETURNED).select_related("actor").order_by("-at", "-id").first()
    invalid = bool(form.errors) or (posted_actions and not actions.is_valid())
    return render(request, "pathway/plan_edit.html", {"plan": plan, "yp": plan.young_person, "form": form,
                                                      "actions": actions, "last_return": last_return},
                  status=400 if invalid else 200)


@staff_required
@require_POST
def plan_submit(request, pk: int, *, staff):
    plan = plan_for(request.user, pk=pk)
    try:
        services.plan_submit(plan=plan, actor=staff)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except ServiceError as exc:
        # No form of its own: the refusal is the error summary at the top of the plan page.
        return _detail(request, plan, status=400, error=str(exc))
    messages.success(request, "The plan was sent to the Team Leader for sign-off.")
    return redirect("pathway:detail", pk=plan.pk)


def _plan_action(request, pk: int, *, staff, form_class, form_key: str, act, success: str):
    """A Team Leader's or PA's decision on a plan: validate the form, call the service, and show
    the plan again with the refusal in the form's error summary when either refuses."""
    plan = plan_for(request.user, pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(plan, staff, form.cleaned_data)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, success)
            return redirect("pathway:detail", pk=plan.pk)
    return _detail(request, plan, status=400, form=form, **{form_key: form})


@staff_required
@require_POST
def plan_return(request, pk: int, *, staff):
    return _plan_action(
        request, pk, staff=staff, form_class=ReturnForm, form_key="return_form",
        act=lambda plan, actor, data: services.plan_return(plan=plan, actor=actor, comments=data["comments"]),
        success="The plan was returned to the Personal Adviser with your comments.",
    )


@staff_required
@require_POST
def plan_sign_off(request, pk: int, *, staff):
    return _plan_action(
        request, pk, staff=staff, form_class=SignOffForm, form_key="sign_off_form",
        act=lambda plan, actor, data: services.plan_sign_off(plan=plan, actor=actor, comments=data["comments"],
                                                             no_visit_reason=data["no_visit_reason"]),
        success="The plan is signed off. Its sign-off date is the review date.",
    )


@staff_required
@require_POST
def plan_shared(request, pk: int, *, staff):
    return _plan_action(
        request, pk, staff=staff, form_class=SharedForm, form_key="shared_form",
        act=lambda plan, actor, data: services.plan_record_shared(plan=plan, actor=actor, shared_on=data["shared_on"],
                                                                  how=data["how"]),
        success="Recorded when the plan was shared with the young person.",
    )


QUEUE_PAGE_SIZE = 50


@staff_required
def queue(request, *, staff):
    """The Team Leader's plans to sign off (P2 lateness flagged)."""
    table = SignOffQueueTable(plans_to_sign_off(request.user))
    RequestConfig(request, paginate={"per_page": QUEUE_PAGE_SIZE}).configure(table)  # sortable; queries: count, page
    return render(request, "pathway/queue.html", {"table": table, "page": table.page, "today": timezone.localdate()})


@staff_required
def plan_pdf(request, pk: int, *, staff):
    """Issue 13, item 4: the signed-off version as a PDF for the young person (a draft: 404)."""
    plan = plan_for(request.user, pk=pk)
    try:
        pdf = plan_document(plan=plan, actor=staff)
    except ServiceError as exc:
        raise Http404(str(exc)) from exc
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="pathway-plan-{plan.young_person.ref}-v{plan.version}.pdf"'
    return response


@staff_required
def plan_request_reduced_visits(request, pk: int, *, staff):
    """Issue 13, item 3 (R2, R3): the PA asks for reduced visits on the plan version being written."""
    plan = plan_for(request.user, pk=pk)
    try:
        PLAN_TRANSITIONS.check(plan, "edit", user=request.user)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except InvalidState:
        messages.info(request, "This plan is not open for editing.")
        return redirect("pathway:detail", pk=plan.pk)
    form = ARRANGEMENT_FORMS[ArrangementKind.REDUCED_VISITS](request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_arrangement_request(plan=plan, actor=staff, details=form.details(),
                                              keeping_in_touch=form.cleaned_data["keeping_in_touch"])
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Reduced visits requested on this plan. Write your assessment and the keeping-in-"
                                      "touch arrangements, then submit the plan: its sign-off is the approval.")
            return redirect("pathway:edit", pk=plan.pk)
    return render(request, "pathway/request_reduced_visits.html", {"plan": plan, "yp": plan.young_person, "form": form},
                  status=400 if form.errors else 200)


@staff_required
@require_POST
def approve_on_plan(request, pk: int, *, staff):
    """The approvals decision page's approval of a request made on a plan: the plan's sign-off (R4)."""
    arrangement = arrangement_for(request.user, pk=pk)
    plan = services.plan_carrying(arrangement)
    if plan is None:
        raise Http404("This request was not made on a pathway plan.")
    form = ApproveOnPlanForm(request.POST)
    if form.is_valid():
        try:
            services.arrangement_approve_on_plan(arrangement=arrangement, actor=staff, rationale=form.cleaned_data["rationale"],
                                                 no_visit_reason=form.cleaned_data["no_visit_reason"])
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Plan v{plan.version} is signed off and reduced visits approved: the Service Leader "
                                      "has been asked to agree.")  # R5
            return redirect("approvals:detail", pk=arrangement.pk)
    plan = plan_for(request.user, pk=plan.pk)
    return _detail(request, plan, status=400, form=form)
