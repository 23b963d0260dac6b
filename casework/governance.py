"""Pages on the records themselves (issue 14, items 7-9), for the Service Leader: the audit log by
young person and by user, the subject access export, and the records past their retention date.
A page for a role answers 403 to others; a young person they may not see is 404."""

import datetime as dt

from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from careleavers.models import Staff
from careleavers.selectors import young_people_visible_to, young_person_for
from core.dates import RETENTION_AGE, birthday
from core.decorators import require_perm, staff_required
from core.forms import PlainForm
from core.models import AuditEvent, AuditKind

from .subject_access import FORMATS, subject_access_export

AUDIT_LOG = "core.view_audit_log"
RETENTION = "careleavers.review_retention"
SUBJECT_ACCESS = "careleavers.export_subject_access"
PAGE_SIZE = 50


class AuditLogForm(PlainForm):
    young_person = forms.CharField(label="Young person's reference", required=False, max_length=50)
    staff = forms.ModelChoiceField(label="Member of staff", queryset=Staff.objects.order_by("name"), required=False)
    kind = forms.ChoiceField(label="What", required=False, initial=AuditKind.RECORD_VIEWED,
                             choices=[("", "Every event"), *AuditKind.choices])


@staff_required
def audit_log(request, *, staff):
    """Issue 14, item 7: who viewed (or changed) which record, when, on what page, by young person and by user."""
    require_perm(request.user, AUDIT_LOG, None, "The audit log is for the Service Leader.")
    form = AuditLogForm(request.GET or {"kind": AuditKind.RECORD_VIEWED})
    events = AuditEvent.objects.select_related("actor", "young_person")
    if form.is_valid():
        values = form.cleaned_data
        if values["young_person"]:
            events = events.filter(young_person__ref=values["young_person"].strip())
        if values["staff"]:
            events = events.filter(actor=values["staff"])
        if values["kind"]:
            events = events.filter(kind=values["kind"])
    else:
        events = events.none()
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "careleavers/audit_log.html", {"form": form, "page": page, "error_forms": [form]})


@staff_required
def subject_access(request, pk: int, fmt: str, *, staff):
    """Issue 14, item 8: everything held about one young person, as JSON or a readable PDF; logged."""
    young_person = young_person_for(request.user, pk=pk)
    require_perm(request.user, SUBJECT_ACCESS, young_person,
                 "Only a Service Leader exports everything held about a young person.")
    if fmt not in FORMATS:
        fmt = "json"
    content = subject_access_export(young_person=young_person, actor=staff, fmt=fmt, now=timezone.now())
    content_type, extension = FORMATS[fmt]
    response = HttpResponse(content, content_type=content_type)
    name = f"subject-access-{young_person.ref}-{timezone.localdate():%Y-%m-%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def past_retention(people, *, today: dt.date):
    """Young people whose 75th birthday is on or before `today` (born on or before today 75 years ago)."""
    return people.filter(date_of_birth__lte=birthday(today, -RETENTION_AGE))


@staff_required
def retention_review(request, *, staff):
    """Issue 14, item 9: records past their retention date, for review. Nothing is deleted from here."""
    require_perm(request.user, RETENTION, None, "The retention review is for the Service Leader.")
    today = timezone.localdate()
    people = past_retention(young_people_visible_to(request.user), today=today)
    people = people.select_related("pa").order_by("date_of_birth", "ref")
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "careleavers/retention.html", {"page": page, "today": today, "retention_age": RETENTION_AGE})


__all__ = ["audit_log", "past_retention", "retention_review", "subject_access"]
