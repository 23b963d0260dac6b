"""Search, duty and break-glass (issue 12, item 7). Search finds the young people the person may see; a PA on duty
today finds anyone in the service, and opens a record outside their caseload only by giving a reason (logged: an
audit event per opening; the grant lasts for the day). A Team Leader puts the PAs of their team on duty."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from careleavers.duty import BREAK_GLASS_REASON_MIN, break_glass_open, duty_assign, young_people_search
from careleavers.models import DutyDay, Staff, YoungPerson
from careleavers.selectors import personal_advisers_of_team, young_people_visible_to
from core.dates import british
from core.decorators import require_perm, staff_required
from core.errors import ServiceError
from core.forms import DateInput, PlainForm, add_service_error
from core.idempotency import OnceFormMixin, submit_once


@staff_required
def search(request, *, staff):
    require_perm(request.user, "careleavers.search_young_people", None, "Search is for Personal Advisers and managers.")
    query = request.GET.get("q", "").strip()[:100]
    today = timezone.localdate()
    found, service_wide = young_people_search(user=request.user, query=query, today=today)
    results = list(found)
    # Whom the person may open without a reason (their own visibility): one query for the page.
    visible = set(young_people_visible_to(request.user, on=today).filter(pk__in=[p.pk for p in results])
                  .values_list("pk", flat=True)) if service_wide and results else {p.pk for p in results}
    return render(request, "casework/duty/search.html", {
        "query": query, "results": [(p, p.pk in visible) for p in results], "service_wide": service_wide,
    })


class BreakGlassForm(PlainForm):
    reason = forms.CharField(
        label="Why do you need to open this record?", max_length=1000, min_length=BREAK_GLASS_REASON_MIN,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, who called the duty line and what about. Kept in the audit log; their Team Leader is told.",
    )


@staff_required
def break_glass(request, pk: int, *, staff):
    """A duty PA opens a record outside their caseload with a reason. Not on duty: 403 with why. A record they may
    already see opens at once."""
    require_perm(request.user, "careleavers.break_glass", None)
    try:
        young_person = YoungPerson.objects.select_related("pa").get(pk=pk)
    except YoungPerson.DoesNotExist as exc:
        raise Http404("No such young person.") from exc
    if young_people_visible_to(request.user).filter(pk=pk).exists():
        return redirect("young_person", pk=pk)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            break_glass_open(actor=staff, young_person=young_person, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.info(request, "Opened on duty: your reason is logged and their Team Leader has been told.")
            return redirect("young_person", pk=pk)
    return render(request, "casework/duty/break_glass.html", {"yp": young_person, "form": form, "error_forms": [form]})


class DutyForm(OnceFormMixin):
    staff = forms.ModelChoiceField(label="Personal Adviser", queryset=Staff.objects.none(), empty_label="Choose")
    date = forms.DateField(label="Day on duty", widget=DateInput())

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = personal_advisers_of_team(team)
        self.fields["date"].initial = timezone.localdate()


@staff_required
def duty_rota(request, *, staff):
    """The Team Leader's duty rota: who of their team is on duty today and after; put a PA on duty."""
    require_perm(request.user, "careleavers.view_duty_rota", None, "The duty rota is for Team Leaders.")
    today = timezone.localdate()
    form = DutyForm(request.POST or None, team=staff.team)
    def assign():
        duty = duty_assign(actor=staff, staff=form.cleaned_data["staff"], date=form.cleaned_data["date"], today=today)
        messages.success(request, f"{duty.staff.name} is on duty on {british(duty.date)}.")
        return redirect("duty_rota")

    if (done := submit_once(request, form, assign)) is not None:
        return done
    rota = DutyDay.objects.filter(staff__team=staff.team, date__gte=today).select_related("staff", "assigned_by")
    return render(request, "casework/duty/rota.html", {
        "form": form, "error_forms": [form], "rota": list(rota.order_by("date", "staff__name")[:100]), "today": today,
    })
