"""Pathway plan pages: parse, call a service or selector, render (STYLE 4)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from careleavers.models import Role
from careleavers.selectors import staff_for, young_person_for
from core.errors import ServiceError

from . import services
from .forms import PlanForm, ReturnForm, SharedForm, SignOffForm
from .models import PathwayPlan, PlanState
from .selectors import plan_for, plans_to_sign_off


def actions_for(staff, plan: PathwayPlan) -> dict[str, bool]:
    """What the page offers; the services check again (a hidden button is not a permission)."""
    is_pa = staff is not None and staff.role == Role.PA
    is_team_tl = (
        staff is not None and staff.role == Role.TEAM_LEADER and plan.young_person.pa_id is not None
        and plan.young_person.pa.team_id == staff.team_id and plan.created_by_id != staff.pk
    )
    return {
        "can_edit": is_pa and plan.is_editable,
        "can_decide": is_team_tl and plan.state == PlanState.SUBMITTED,
        "can_record_shared": is_pa,
    }


def _detail(request, plan: PathwayPlan, status: int = 200, **forms):
    staff = staff_for(request.user)
    context = {
        "plan": plan,
        "yp": plan.young_person,
        "sections": [
            (PathwayPlan._meta.get_field(name).verbose_name, getattr(plan, name))
            for name in services.sections_for(plan.kind)
        ],
        "decisions": plan.decisions.select_related("actor"),
        "return_form": forms.get("return_form") or ReturnForm(),
        "sign_off_form": forms.get("sign_off_form") or SignOffForm(),
        "shared_form": forms.get("shared_form") or SharedForm(initial={"shared_on": timezone.localdate()}),
        "error": forms.get("error"),
        **actions_for(staff, plan),
    }
    return render(request, "pathway/plan_detail.html", context, status=status)


@login_required
@require_POST
def plan_start(request, yp_pk: int):
    young_person = young_person_for(request.user, pk=yp_pk)
    try:
        plan = services.plan_start(young_person=young_person, actor=staff_for(request.user))
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("young_person", pk=young_person.pk)
    messages.success(request, f"Version {plan.version} of the pathway plan started.")
    return redirect("pathway:edit", pk=plan.pk)


@login_required
def plan_detail(request, pk: int):
    return _detail(request, plan_for(request.user, pk=pk))


@login_required
def plan_edit(request, pk: int):
    plan = plan_for(request.user, pk=pk)
    if not plan.is_editable:
        messages.info(request, "This plan is not open for editing.")
        return redirect("pathway:detail", pk=plan.pk)
    form = PlanForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        staff = staff_for(request.user)
        try:
            services.plan_update(plan=plan, actor=staff, content=form.content())
            if "submit" in request.POST:
                services.plan_submit(plan=plan, actor=staff)
                messages.success(request, "The plan was sent to the Team Leader for sign-off.")
            else:
                messages.success(request, "Draft saved. You can come back to it at any time.")
            return redirect("pathway:detail", pk=plan.pk)
        except ServiceError as exc:
            form.add_error(None, str(exc))
    last_return = plan.decisions.filter(action="returned").select_related("actor").order_by("-at", "-id").first()
    return render(request, "pathway/plan_edit.html", {"plan": plan, "yp": plan.young_person, "form": form,
                                                      "last_return": last_return},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def plan_submit(request, pk: int):
    plan = plan_for(request.user, pk=pk)
    try:
        services.plan_submit(plan=plan, actor=staff_for(request.user))
    except ServiceError as exc:
        return _detail(request, plan, status=400, error=str(exc))
    messages.success(request, "The plan was sent to the Team Leader for sign-off.")
    return redirect("pathway:detail", pk=plan.pk)


def _plan_action(request, pk: int, form_class, form_key: str, act, success: str):
    """A Team Leader's or PA's decision on a plan: validate the form, call the service, and show
    the plan again with the message next to the form when either refuses."""
    plan = plan_for(request.user, pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(plan, staff_for(request.user), form.cleaned_data)
            messages.success(request, success)
            return redirect("pathway:detail", pk=plan.pk)
        except ServiceError as exc:
            return _detail(request, plan, status=400, error=str(exc), **{form_key: form})
    return _detail(request, plan, status=400, **{form_key: form})


@login_required
@require_POST
def plan_return(request, pk: int):
    return _plan_action(
        request, pk, ReturnForm, "return_form",
        lambda plan, actor, data: services.plan_return(plan=plan, actor=actor, comments=data["comments"]),
        "The plan was returned to the Personal Adviser with your comments.",
    )


@login_required
@require_POST
def plan_sign_off(request, pk: int):
    return _plan_action(
        request, pk, SignOffForm, "sign_off_form",
        lambda plan, actor, data: services.plan_sign_off(plan=plan, actor=actor, comments=data["comments"]),
        "The plan is signed off. Its sign-off date is the review date.",
    )


@login_required
@require_POST
def plan_shared(request, pk: int):
    return _plan_action(
        request, pk, SharedForm, "shared_form",
        lambda plan, actor, data: services.plan_record_shared(plan=plan, actor=actor, shared_on=data["shared_on"]),
        "Recorded when the plan was shared with the young person.",
    )


@login_required
def queue(request):
    """The Team Leader's plans to sign off (P2 lateness flagged)."""
    page = Paginator(plans_to_sign_off(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "pathway/queue.html", {"page": page, "today": timezone.localdate()})
