import datetime as dt
import zipfile
from collections.abc import Iterator

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from careleavers.models import Staff
from careleavers.selectors import case_record_summary, young_people_visible_to, young_person_for
from core.audit import audit_view
from core.decorators import require_perm, staff_required
from core.errors import NotAllowed, ServiceError, StaleVersion
from core.forms import add_service_error
from core.idempotency import submit_once

from .annex_a import annex_a_as_at
from .computed import lacking_page, latest_computation
from .exports import FILE_NAMES, file_chunks
from .forms import AnnexAAsAtForm, InTouchCheckForm, ReturnsDetailsForm, YearForm
from .services import (
    RETURNS_FIELDS,
    in_touch_check_record,
    returns_details_version,
    returns_recompute_request,
    young_person_returns_update,
)
from .windows import collection_year, collection_year_of

#: The longest ref a page link carries (ReturnsLackingRow.ref's length).
REF = 40


def _require_exporter(staff: Staff) -> None:
    require_perm(staff.user, "returns.export", message="Only the Service Leader and the Head of Service export the returns.")


def _year(request, today: dt.date) -> tuple[YearForm, int]:
    """The year asked for (or the default) and its form: bound to the query, or unbound showing the default."""
    default = collection_year_of(today) - 1  # the last year that has ended: the one due for return
    if not request.GET:
        return YearForm(initial={"year": default}, today=today), default
    form = YearForm(request.GET, today=today)
    return form, (form.cleaned_data["year"] if form.is_valid() else default)


@staff_required
def index(request, *, staff: Staff):
    """Issue 16, item 2: the stored returns of the year with when they were worked out (returns.computed),
    never a rebuild per visit; with none stored yet, an empty state and (for a Service Leader) the button."""
    _require_exporter(staff)
    today = timezone.localdate()
    form, year = _year(request, today)
    computation = latest_computation(year)
    page = None
    if computation is not None:  # keyset pages over ref (issue 16): after or before a ref, or the last page
        page = lacking_page(computation, young_people_visible_to(staff.user), after=request.GET.get("after", "")[:REF],
                            before=request.GET.get("before", "")[:REF], last=request.GET.get("page") == "last")
    start, end = collection_year(year)
    return render(request, "returns/index.html", {
        "form": form, "year": year, "start": start, "end": end, "computation": computation, "page": page,
        "file_names": FILE_NAMES, "as_at_form": AnnexAAsAtForm(today=today),
        "can_recompute": rules.has_perm("returns.recompute", staff.user),
    })


@staff_required
@require_POST
def recompute(request, *, staff: Staff):
    """Issue 16, item 2: "Recompute now" queues the task and answers at once."""
    _require_exporter(staff)
    form = YearForm(request.POST, today=timezone.localdate())
    if not form.is_valid():
        messages.error(request, "Choose a collection year to work out.")
        return redirect("returns:index")
    year = form.cleaned_data["year"]
    try:
        returns_recompute_request(actor=staff, year=year)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    messages.success(request, f"The returns for {year}-{str(year + 1)[2:]} are being worked out: "
                              "reload this page in a minute to see them.")
    return redirect(f"{reverse('returns:index')}?year={year}")


@staff_required
def annex_a(request, *, staff: Staff):
    """X2: Annex A list 9 as at a day (default today, never later): the form, or with a valid day the CSV."""
    _require_exporter(staff)
    form = AnnexAAsAtForm(request.GET or None, today=timezone.localdate())
    if form.is_bound and form.is_valid():
        annex = annex_a_as_at(form.cleaned_data["as_at"], young_people_visible_to(staff.user))
        audit_view(actor=staff, page=f"returns:{annex.file_name}", young_people=annex.young_person_ids)
        response = HttpResponse(annex.csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{annex.file_name}"'
        return response
    return render(request, "returns/annex_a.html", {"form": form, "error_forms": [form]})


def _logged_as_sent(chunks: Iterator[tuple[str, list[int]]], *, staff: Staff, page: str,
                    logged: set[int]) -> Iterator[str]:
    """The chunks' text, each chunk's young people logged (issue 14, item 7) before its rows are sent and
    only once a download (`logged`: who this download has logged so far)."""
    for text, ids in chunks:
        if new := [pk for pk in ids if pk not in logged]:
            audit_view(actor=staff, page=page, young_people=new)
            logged.update(new)
        yield text


class _ZipOut:
    """Where a zip archive is written as it is sent: what it holds is taken away after each write."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def _zip_stream(year: int, people, *, staff: Staff) -> Iterator[bytes]:
    """Issue 16: the three files zipped as they are read, a chunk of young people at a time (the same files as
    export_returns writes, one after the other); who they include is logged once, as their rows are sent."""
    out, logged = _ZipOut(), set[int]()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in FILE_NAMES:
            info = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o600 << 16  # as ZipFile.writestr
            with archive.open(info, "w") as member:
                for text in _logged_as_sent(file_chunks(year, name, people), staff=staff,
                                            page=f"returns:{year}.zip", logged=logged):
                    member.write(text.encode("utf-8"))
                    yield out.take()
    yield out.take()


@staff_required
def download(request, *, staff: Staff):
    """X1, X2: the three return files in one zip, streamed (issue 16): the first bytes leave at once and memory
    holds one chunk of young people, whatever the size of the service."""
    _require_exporter(staff)
    _form, year = _year(request, timezone.localdate())
    response = StreamingHttpResponse(_zip_stream(year, young_people_visible_to(staff.user), staff=staff),
                                     content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="returns-{year}-{str(year + 1)[2:]}.zip"'
    return response


@staff_required
def download_file(request, name: str, *, staff: Staff):
    """One return file, streamed a chunk of young people at a time (issue 16): the bytes export_returns writes."""
    _require_exporter(staff)
    if name not in FILE_NAMES:
        raise Http404("No such return file.")
    _form, year = _year(request, timezone.localdate())
    chunks = file_chunks(year, name, young_people_visible_to(staff.user))
    response = StreamingHttpResponse(_logged_as_sent(chunks, staff=staff, page=f"returns:{year}:{name}", logged=set()),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{year}-{str(year + 1)[2:]}-{name}"'
    return response


@staff_required
def record_check(request, pk: int, *, staff: Staff):
    young_person = young_person_for(staff.user, pk=pk)
    require_perm(staff.user, "returns.record_in_touch_check", young_person, "You cannot record checks for this young person.")
    today = timezone.localdate()
    # Issue 11, items 3 and 4: the check starts from the accommodation and activity on the case record today.
    current = case_record_summary(young_person, today=today)
    initial = {"date": today}
    if current["accommodation"]:
        initial["accommodation"] = current["accommodation"].return_code
    if current["activity"]:
        initial["activity"] = current["activity"].code
    form = InTouchCheckForm(request.POST or None, young_person=young_person, initial=initial)
    def record():
        in_touch_check_record(young_person=young_person, actor=staff, **form.cleaned_data)
        messages.success(request, "In-touch check recorded.")
        return redirect("young_person", pk=young_person.pk)

    if (done := submit_once(request, form, record)) is not None:
        return done
    return render(request, "returns/check_form.html", {"yp": young_person, "form": form, "error_forms": [form]})


@staff_required
def edit_details(request, pk: int, *, staff: Staff):
    young_person = young_person_for(staff.user, pk=pk)
    require_perm(staff.user, "returns.edit_details", young_person, "You cannot change this young person's details.")
    initial = {field: getattr(young_person, field) for field in RETURNS_FIELDS}
    initial["read_version"] = returns_details_version(young_person)
    form = ReturnsDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            young_person_returns_update(young_person=young_person, actor=staff, **form.cleaned_data)
        except StaleVersion as error:
            add_service_error(form, error)
            form.data = form.data.copy()
            form.data["read_version"] = error.current  # a second save is then a deliberate one
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Returns details saved.")
            return redirect("young_person", pk=young_person.pk)
    return render(request, "returns/details_form.html", {"yp": young_person, "form": form, "error_forms": [form]})
