"""Pathway plan pages: parse, call a service or selector, render (STYLE 4).

What a page offers comes from the transition table (pathway.transitions); the services check it
again. A refusal is shown once, in the form's error summary (core.forms.add_service_error); an
action the person may not take on a plan they can see is 403, a plan they may not see 404.
"""

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from careleavers.selectors import young_person_for
from core.audit import audit_view
from core.decorators import staff_required
from core.errors import InvalidState, NotAllowed, ServiceError, StaleVersion
from core.forms import add_service_error
from core.registry import decision_context

from . import services
from .forms import PlanForm, ReturnForm, SharedForm, SignOffForm
from .models import PathwayPlan, PlanAction
from .selectors import plan_for, plans_to_sign_off, visit_before_review
from .tables import SignOffQueueTable
from .transitions import PLAN_TRANSITIONS


def _detail(request, plan: PathwayPlan, status: int = 200, form=None, error: str = "", **forms):
    """The plan page; `form` is the one posted, whose errors the summary at the top lists (`error`:
    a refusal of an action that has no form)."""
    context = {
        "plan": plan,
        "yp": plan.young_person,
        "sections": [
            (PathwayPlan._meta.get_field(name).verbose_name, getattr(plan, name))
            for name in services.sections_for(plan.kind)
        ],
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
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(plan=plan, actor=staff, content=form.content(), read_at=form.cleaned_data["read_at"])
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
    return render(request, "pathway/plan_edit.html", {"plan": plan, "yp": plan.young_person, "form": form,
                                                      "last_return": last_return},
                  status=400 if form.errors else 200)


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
        act=lambda plan, actor, data: services.plan_record_shared(plan=plan, actor=actor, shared_on=data["shared_on"]),
        success="Recorded when the plan was shared with the young person.",
    )


QUEUE_PAGE_SIZE = 50


@staff_required
def queue(request, *, staff):
    """The Team Leader's plans to sign off (P2 lateness flagged)."""
    table = SignOffQueueTable(plans_to_sign_off(request.user))
    RequestConfig(request, paginate={"per_page": QUEUE_PAGE_SIZE}).configure(table)  # sortable; queries: count, page
    return render(request, "pathway/queue.html", {"table": table, "page": table.page, "today": timezone.localdate()})
