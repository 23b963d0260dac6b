"""Issue 12, item 2: management oversight pages. A manager's answer to a PA's update on an overdue item (O1, PCC
"we can review support if needed"), and the record of a weekly or monthly dashboard review (O1): who reviewed
which team's dashboard (or the service's), when, and the actions agreed. Views parse, call a service, render."""

from functools import cache

from django import forms
from django.contrib import messages
from django.db import router
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from careleavers.models import CASE_NOTE_MAX_LENGTH, Staff, Team
from careleavers.selectors import teams_visible_to, young_person_for
from core.decorators import require_perm, staff_required
from core.errors import NotAllowed, ServiceError
from core.forms import add_service_error
from core.idempotency import OnceFormMixin, once, submit_once
from core.prepared import INT, Prepared

from .models import Dashboard, DashboardReview, OverdueUpdate, ReviewPeriod
from .selectors import made
from .services import dashboard_review_record, overdue_update_answer

DASHBOARD_URLS = {Dashboard.TEAM: "oversight:team", Dashboard.SERVICE: "oversight:service",
                  Dashboard.HEAD: "oversight:head"}


class AnswerForm(OnceFormMixin):
    text = forms.CharField(label="Your answer (management oversight)", widget=forms.Textarea(attrs={"rows": 6}),
                           help_text=f"Recorded as a management-oversight case note; the PA is told. "
                                     f"At most {CASE_NOTE_MAX_LENGTH:,} characters.")


class DashboardReviewForm(OnceFormMixin):
    dashboard = forms.ChoiceField(choices=Dashboard.choices, widget=forms.HiddenInput)
    team = forms.IntegerField(required=False, widget=forms.HiddenInput)
    period = forms.ChoiceField(label="Review", choices=ReviewPeriod.choices, widget=forms.RadioSelect)
    actions = forms.CharField(label="Actions agreed", widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="Who does what by when; or that no action was needed.")


@staff_required
def overdue_answer(request, pk: int, update_pk: int, *, staff):
    """Answer a PA's update on an overdue item: 404 for a young person the manager does not see, 403 for someone
    who sees them but may not record oversight (a PA, another team's Team Leader cannot see them at all)."""
    young_person = young_person_for(request.user, pk=pk)
    update = get_object_or_404(OverdueUpdate.objects.select_related("author"), pk=update_pk, young_person=young_person)
    require_perm(request.user, "careleavers.record_oversight", young_person)
    form = AnswerForm(request.POST or None)
    def answer():
        update.young_person = young_person
        overdue_update_answer(update=update, actor=staff, text=form.cleaned_data["text"])
        messages.success(request, f"Answer recorded as management oversight; {update.author.name} is told.")
        return redirect(reverse("young_person", args=[young_person.pk]) + "#panel-overdue_updates")

    if (done := submit_once(request, form, answer)) is not None:
        return done
    return render(request, "oversight/overdue_answer.html", {
        "yp": young_person, "update": update, "form": form, "error_forms": [form],
        "answers": update.answers.select_related("author", "note"),
    }, status=400 if form.errors else 200)


@staff_required
@require_POST
def dashboard_review(request, *, staff):
    """Record a review of the dashboard the form was on, then back to it. A team the manager may not see is a
    404, as on the dashboards."""
    form = DashboardReviewForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = ""
    team: Team | None = None
    if form.is_valid() and form.cleaned_data["team"]:
        team = teams_visible_to(request.user).filter(pk=form.cleaned_data["team"]).first()
        if team is None:
            raise Http404("No such team on your dashboards.")
    if form.is_valid():
        def record():
            review = dashboard_review_record(actor=staff, dashboard=form.cleaned_data["dashboard"], team=team,
                                             period=form.cleaned_data["period"], actions=form.cleaned_data["actions"])
            messages.success(request, f"{review.get_period_display()} recorded.")
            return redirect(back or DASHBOARD_URLS[review.dashboard])

        try:
            return once(request, form.once_token, record)
        except NotAllowed as exc:
            add_service_error(form, exc)
            return render(request, "oversight/dashboard_review_form.html", {"form": form, "error_forms": [form],
                                                                             "back": back}, status=403)
        except ServiceError as exc:
            add_service_error(form, exc)
    return render(request, "oversight/dashboard_review_form.html", {"form": form, "error_forms": [form],
                                                                     "back": back}, status=400)


def _latest_reviews(*, dashboard: str, team: Team | None):
    reviews = DashboardReview.objects.filter(dashboard=dashboard, team=team).select_related("reviewer")
    return reviews.order_by("-reviewed_on", "-id")


_REVIEW_FIELDS = tuple(f.attname for f in DashboardReview._meta.concrete_fields)


@cache
def _prepared_latest_review(dashboard: str, *, of_team: bool) -> Prepared:
    """Issue 16: `latest_review`'s query compiled once per process, dashboard and whether it is a team's."""
    columns = (*_REVIEW_FIELDS, "reviewer__name")
    if of_team:
        return Prepared(lambda team_id: _latest_reviews(dashboard=dashboard, team=Team(pk=team_id))
                        .values_list(*columns)[:1], team_id=INT)
    return Prepared(lambda: _latest_reviews(dashboard=dashboard, team=None).values_list(*columns)[:1])


def latest_review(*, dashboard: str, team: Team | None) -> DashboardReview | None:
    """When the dashboard was last reviewed, and by whom (one query): the review and its reviewer's name."""
    using = router.db_for_read(DashboardReview)
    prepared = _prepared_latest_review(dashboard, of_team=team is not None)
    rows = prepared.rows(using, team_id=team.pk) if team is not None else prepared.rows(using)
    if not rows:
        return None
    *values, reviewer_name = rows[0]
    review = DashboardReview.from_db(using, _REVIEW_FIELDS, values)
    review.reviewer = made(Staff, using, id=review.reviewer_id, name=reviewer_name)
    return review
