from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from careleavers.selectors import staff_for, young_people_visible_to, young_person_for
from core.errors import ServiceError

from .exports import FILE_NAMES, build_returns
from .forms import InTouchCheckForm, ReturnsDetailsForm, YearForm
from .services import RETURNS_FIELDS, in_touch_check_record, young_person_returns_update
from .windows import collection_year, collection_year_of


def _require_service_wide(request) -> None:
    if not request.user.has_perm("returns.export"):
        raise PermissionDenied("Only the Service Leader and the Head of Service export the returns.")


def _year(request) -> tuple[YearForm, int]:
    today = timezone.localdate()
    form = YearForm(request.GET or None, today=today)
    default = collection_year_of(today) - 1  # the last year that has ended: the one due for return
    return form, (form.cleaned_data["year"] if form.is_bound and form.is_valid() else default)


@login_required
def index(request):
    _require_service_wide(request)
    form, year = _year(request)
    if not form.is_bound:
        form = YearForm(initial={"year": year}, today=timezone.localdate())
    returns = build_returns(year, young_people_visible_to(request.user))
    start, end = collection_year(year)
    page = Paginator(returns.lacking, 50).get_page(request.GET.get("page"))
    return render(request, "returns/index.html", {
        "form": form, "year": year, "start": start, "end": end, "returns": returns, "page": page,
        "file_names": FILE_NAMES,
    })


@login_required
def download(request):
    _require_service_wide(request)
    form, year = _year(request)
    returns = build_returns(year, young_people_visible_to(request.user))
    response = HttpResponse(returns.zip_bytes(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="returns-{year}-{str(year + 1)[2:]}.zip"'
    return response


@login_required
def download_file(request, name: str):
    _require_service_wide(request)
    if name not in FILE_NAMES:
        raise Http404("No such return file.")
    form, year = _year(request)
    returns = build_returns(year, young_people_visible_to(request.user))
    response = HttpResponse(returns.csv_files()[name], content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{year}-{str(year + 1)[2:]}-{name}"'
    return response


@login_required
def record_check(request, pk: int):
    young_person = young_person_for(request.user, pk=pk)
    if not request.user.has_perm("careleavers.record_contact", young_person):
        raise PermissionDenied("You cannot record checks for this young person.")
    form = InTouchCheckForm(request.POST or None, young_person=young_person,
                            initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            in_touch_check_record(young_person=young_person, actor=staff_for(request.user), **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "In-touch check recorded.")
            return redirect("young_person", pk=young_person.pk)
    return render(request, "returns/check_form.html", {"yp": young_person, "form": form, "error_forms": [form]})


@login_required
def edit_details(request, pk: int):
    young_person = young_person_for(request.user, pk=pk)
    if not request.user.has_perm("careleavers.record_contact", young_person):
        raise PermissionDenied("You cannot change this young person's details.")
    initial = {field: getattr(young_person, field) for field in RETURNS_FIELDS}
    form = ReturnsDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            young_person_returns_update(young_person=young_person, actor=staff_for(request.user), **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Returns details saved.")
            return redirect("young_person", pk=young_person.pk)
    return render(request, "returns/details_form.html", {"yp": young_person, "form": form, "error_forms": [form]})
