from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

from compliance.selectors import annotate_most_urgent, requirements_with_status

from .panels import panels_for
from .selectors import staff_for, young_people_visible_to, young_person_for
from .timeline import timeline_for


@login_required
def home(request):
    return redirect("caseload")


@login_required
def caseload(request):
    today = timezone.localdate()
    people = annotate_most_urgent(young_people_visible_to(request.user).select_related("pa"), today=today)
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    return render(request, "careleavers/caseload.html", {"page": page, "today": today, "staff": staff_for(request.user)})


@login_required
def young_person_detail(request, pk: int):
    young_person = young_person_for(request.user, pk=pk)
    today = timezone.localdate()
    return render(request, "careleavers/young_person.html", {
        "yp": young_person,
        "today": today,
        "requirements": requirements_with_status(young_person.requirements.all(), today=today).order_by("due"),
        "allocations": young_person.allocations.select_related("pa").order_by("-start"),
        "timeline": timeline_for(young_person),
        "panels": panels_for(request=request, young_person=young_person, today=today),
    })
