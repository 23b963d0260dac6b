"""Pages of the caseload and the young person's record. Views parse, call a selector or service,
and render; every young person is read through careleavers.selectors (someone else's -> 404)."""

import html
import re

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeData, SafeString
from django.views.decorators.http import require_POST

from careleavers import services
from careleavers.models import EventKind, Notification, PlannedAbsence
from careleavers.selectors import open_cases, staff_for, young_people_visible_to, young_person_for
from compliance import services as compliance_services
from compliance.engine import ensure_summary
from compliance.models import PackEvent, Requirement
from compliance.selectors import due_summary, open_case_totals, requirements_with_status
from contacts.forms import EscalationForm
from contacts.selectors import next_escalation_step
from core.audit import audit_view
from core.dates import british
from core.decorators import require_perm, staff_required
from core.idempotency import submit_once
from core.registry import PageReads, panels_for
from core.rules import seen_by, visibility_of

from .filters import CaseloadFilter, CaseloadPaginator, caseload_counts, coming_up, in_absence
from .forms import AbsenceForm, EventForm
from .notes import NOTES_PANEL_READ, panel_notes_read
from .panels import case_allocations
from .reasons import due_reasons
from .tables import CaseloadRows, CaseloadTable, coming_up_items
from .timeline import history_for, timeline_for, timeline_reads
from .young_person_reads import pack_event_windows, page_reads

PAGE_SIZE = 25
#: The young person's timeline shows this many entries, newest first.
TIMELINE_SHOWN = 200


@login_required
def caseload(request):
    today = timezone.localdate()
    everyone = young_people_visible_to(request.user)
    visible = open_cases(everyone, today=today)  # issue 11, item 8: closed cases leave it
    filters = CaseloadFilter(request.GET, queryset=visible, user=request.user, today=today)
    service = not everyone.query.where
    fragment = _htmx_fragment(request)
    visibility = visibility_of(request.user)
    # Issue 16: the sorts and counts read the summary, true for today; the counts at the top read the day it is true
    # for in the same query and bring it up to date first (compliance.engine.ensure_summary). For the whole service,
    # the summary's totals (everyone has a row; how many open cases; the counts at the top) in one query, and its
    # open cases, unfiltered, page over the summary's indexes alone. Elsewhere the counts at the top count the
    # unfiltered list too (one query), so the paginator need not; the htmx fragment shows no counts.
    totals = open_case_totals(today=today) if service else None
    if totals is not None:
        counts = totals
    elif fragment:
        counts = None
        ensure_summary(today)
    else:
        counts = caseload_counts(visibility, today=today)
    unfiltered = not filters.narrows
    # Unfiltered, the list is `visible` itself (what filters.qs would give, without cleaning the form for it).
    paginator = CaseloadPaginator(visible if unfiltered else filters.qs, PAGE_SIZE, today=today, sort=request.GET.get("sort"),
                                  open_cases=totals["open"] if totals and unfiltered else None,
                                  known_count=counts["people"] if counts and not totals and unfiltered else None,
                                  visibility=visibility if unfiltered else None)
    page = paginator.get_page(request.GET.get("page"))  # V4, V5, X1
    # Issue 16: the table's columns set up once per sort and column set (CaseloadTable.layout), not per request.
    layout = CaseloadTable.layout(order_by=paginator.sort, show_pa="pa" in filters.filters)
    context = {
        "page": page,
        "table": CaseloadRows(layout, page),
        "table_header": layout.html_header(request.GET),
        "sort": paginator.sort,
        "filter": filters,
        "filtered": any(v for k, v in request.GET.items() if k not in ("page", "sort")),
        "today": today,
        "staff": staff_for(request.user),
    }
    if fragment:
        # The filter form (hx-get): only the filters and the list change; the counts and "coming up" do not.
        return _vary_on_htmx(render(request, "careleavers/_caseload_results.html", context))
    upcoming = coming_up(visibility, today=today)
    context |= {"counts": counts, "coming_up": upcoming, "coming_up_items": coming_up_items(upcoming)}
    return _vary_on_htmx(render(request, "careleavers/caseload.html", context))


def _htmx_fragment(request) -> bool:
    """An htmx request for part of a page (not htmx restoring a page missing from its history cache)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def _vary_on_htmx(response):
    """The same URL answers a page or a fragment: caches (and the browser's back button) must tell them apart."""
    patch_vary_headers(response, ("HX-Request",))
    return response


@staff_required
def young_person_detail(request, pk: int, *, staff):
    young_person = young_person_for(request.user, pk=pk)
    seen_by(young_person, request.user)  # issue 16: read through the visibility rule, so no permission asks it again
    audit_view(actor=staff, page="young_person", young_person=young_person)  # issue 14, item 7
    today = timezone.localdate()
    # Issue 16: what the panels and the timeline both use is read once (the plans, the arrangements, the
    # requirements for the overdue panel). The page's own reads (casework.young_person_reads), the timeline's, the
    # notes panel's and every registered reader's that is one compiled query (the plans, the arrangements, the flags,
    # the in-touch checks) are sent in one round trip (PageReads.read_together, core.batch).
    # One more entry than is shown: when the timeline comes back shorter than that, nothing was cut, so
    # it holds every contact, escalation step, event and arrangement, and the ladder and the reasons for
    # the due dates are worked out from it rather than read again.
    limit = TIMELINE_SHOWN + 1
    reads = PageReads(young_person=young_person, today=today)
    reads.read_together({**page_reads(young_person=young_person, today=today),
                         **timeline_reads(young_person, limit, user=request.user),
                         NOTES_PANEL_READ: panel_notes_read(user=request.user, young_person=young_person)})
    absences, requirements = reads.get("absences", []), reads["requirements"]
    for requirement in requirements:  # V5: a due date inside the PA's planned absence is brought forward
        requirement.absence = next((a for a in absences if a.start <= requirement.due <= a.end), None)
    pack = reads["pack"][0] if reads["pack"] else None
    timeline = timeline_for(young_person, limit=limit, user=request.user, reads=reads)
    complete = len(timeline) <= TIMELINE_SHOWN
    records = {kind: [e.obj for e in timeline if e.kind == kind] for kind in ("contact", "escalation", "event", "arrangement")}
    next_step = next_escalation_step(
        young_person=young_person, pack=pack,
        contacts=records["contact"] if complete else None, escalations=records["escalation"] if complete else None,
    )
    due_reasons(  # issue 10, item 2: why each due date is what it is
        requirements, young_person=young_person, events=records["event"], arrangements=records["arrangement"],
        attempts=pack.escalation_attempts if pack else 0,
        pack_events=pack_event_windows(reads["pack_events"]),
    )
    escalation_form = EscalationForm(initial={"step": next_step.step} if next_step else None)
    return render(request, "careleavers/young_person.html", {
        "yp": young_person,
        "today": today,
        "requirements": requirements,
        "absences": absences,
        # Issue 16: read with the panels' rows in one query (casework.young_person_reads.casework_rows).
        "allocations": case_allocations(young_person_id=young_person.pk, rows=reads["casework_rows"]["allocations"]),
        "timeline": timeline[:TIMELINE_SHOWN],
        "timeline_html": timeline_html(_timeline_rows(timeline[:TIMELINE_SHOWN], user=request.user,
                                                      young_person=young_person)),
        "next_step": next_step,
        "escalation_form": escalation_form,
        "can_view_history": rules.has_perm("careleavers.view_history", request.user, young_person),
        # T8: attributes only (the young person's PA's team), no query.
        "can_change_legal_status": rules.has_perm("careleavers.change_legal_status", request.user, young_person),
        # Issue 14, item 8: the Service Leader's subject access export (a role test first; no query for others).
        "can_export_subject_access": rules.has_perm("careleavers.export_subject_access", request.user, young_person),
        "panels": panels_for(request=request, young_person=young_person, today=today, reads=reads),
        "reads": reads,  # the flags banner's flags (casework.templatetags.case_record)
    })


#: A number no young person's or contact's id reaches, reversed in their place and then replaced.
_PK_SLOT = 987654321987


def _url_maker(name: str, young_person_pk: int):
    """`reverse(name, args=[young_person_pk, pk])` for many pks, at the cost of one reverse (issue 16)."""
    head, tail = reverse(name, args=[young_person_pk, _PK_SLOT]).rsplit(str(_PK_SLOT), 1)
    return lambda pk: f"{head}{int(pk)}{tail}"


def _timeline_rows(timeline, *, user, young_person) -> list[tuple]:
    """(entry, its date, a contact's time, void URL, correct URL) for each timeline entry, the date and time as the
    page shows them (worked out here once rather than by template filters, issue 16); the URLs only for a contact
    the reader may mark as
    recorded in error or correct. Both permissions (core.rules) read the reader, the young person and who recorded
    the contact, so they are asked once per recorder, not twice per contact (issue 16: a two-year timeline has a
    hundred contacts). tests/casework/test_young_person_page.py checks both ways."""
    void_url, correct_url = _url_maker("contacts:void", young_person.pk), _url_maker("contacts:correct", young_person.pk)
    asked: dict = {}
    rows = []
    for entry in timeline:
        on = british(entry.on)
        if entry.kind != "contact":
            rows.append((entry, on, "", None, None))
            continue
        at = f"{entry.obj.time:%H:%M}" if entry.obj.time else ""
        if entry.voided:
            rows.append((entry, on, at, None, None))
            continue
        key = entry.obj.recorded_by_id
        if key not in asked:
            asked[key] = (rules.has_perm("contacts.void_contact", user, entry.obj),
                          rules.has_perm("contacts.correct_contact", user, entry.obj))
        may_void, may_correct = asked[key]
        rows.append((entry, on, at, void_url(entry.obj.pk) if may_void else None,
                     correct_url(entry.obj.pk) if may_correct else None))
    return rows


def _visit_check(contact):
    try:
        return contact.visit_check
    except ObjectDoesNotExist:  # no checklist: what the template engine made of the missing row
        return None


def _escape(value) -> str:
    """conditional_escape, without making a SafeString of every piece (issue 16: the timeline has a thousand)."""
    return str(value.__html__()) if isinstance(value, SafeData) else html.escape(str(value))


_NEWLINES = re.compile(r"\r\n|\r")  # django.utils.text.normalize_newlines


def _linebreaksbr(value) -> str:
    """The linebreaksbr filter of plain text (a case note), without its wrappers; anything else goes through it."""
    if type(value) is not str:
        return linebreaksbr(value)
    return html.escape(_NEWLINES.sub("\n", value) if "\r" in value else value).replace("\n", "<br>")


def timeline_html(rows) -> SafeString:
    """The timeline's entries, as templates/careleavers/_timeline_rows.html writes them (the same bytes, checked in
    tests/casework/test_young_person_page.py), in one pass: through the template engine, a two-year timeline's
    200 entries were a third of the page's rendering (issue 16)."""
    if not rows:
        return SafeString("<li>Nothing recorded yet.</li>")
    # Each distinct value escaped once: kinds, labels, dates, titles and names repeat down a timeline (issue 16).
    escaped: dict = {}

    def esc(value) -> str:
        found = escaped.get(value)
        if found is None:
            found = escaped[value] = _escape(value)
        return found

    parts = []
    for e, on, at, void_url, correct_url in rows:
        on_ = esc(on)
        contact = e.kind == "contact"
        parts.append(f'\n        <li class="timeline-{esc(e.kind)}{" voided" if e.voided else ""}">\n'
                     f'          <strong>{on_}{f" {esc(at)}" if at else ""}</strong> · <span class="timeline-kind">'
                     f'{esc(e.kind_label)}</span> · {esc(e.title)}'
                     f'{f""" <span class="small">by {esc(e.by)}</span>""" if e.by else ""}\n          ')
        if contact and (vc := _visit_check(e.obj)):
            suitability = f"; {esc(vc.get_overall_suitability_display().lower())}" if vc.overall_suitability else ""
            parts.append(
                '\n          <div class="small">Living environment: health and safety '
                f"{esc(vc.get_health_and_safety_display().lower())}, furnishings and kitchen "
                f"{esc(vc.get_furnishings_and_kitchen_display().lower())}, occupancy "
                f"{esc(vc.get_occupancy_display().lower())}, {esc(vc.get_trend_display().lower())}{suitability}.</div>"
                "\n          ")
        parts.append("\n          ")
        if e.detail:
            parts.append(f'<div class="small">{_linebreaksbr(e.detail)}</div>')
        parts.append("\n          ")
        if contact and e.voided:
            parts.append(f'<div class="small">Recorded in error: {esc(e.obj.void_reason)}</div>')
        parts.append("\n          \n          ")
        title = esc(e.title)
        if void_url:
            parts.append(f'<a class="small no-print" href="{esc(void_url)}">Recorded in error?<span class="visually-hidden">'
                         f" ({title} on {on_})</span></a>")
        parts.append("\n          ")
        if correct_url:
            parts.append(f'<a class="small no-print ms-2" href="{esc(correct_url)}">Correct<span class="visually-hidden">'
                         f" ({title} on {on_})</span></a>")
        parts.append("\n        </li>\n        ")
    return SafeString("".join(parts))  # nosec B703  (every value above is escaped, or is linebreaksbr's)


@staff_required
def young_person_history(request, pk: int, *, staff):
    """Managers see every version of the record; a PA gets the same 404 as for a stranger's record."""
    young_person = young_person_for(request.user, pk=pk)
    if not rules.has_perm("careleavers.view_history", request.user, young_person):
        raise Http404("No such page.")
    audit_view(actor=staff, page="history", young_person=young_person)  # issue 14, item 7
    page = Paginator(history_for(young_person), 50).get_page(request.GET.get("page"))
    return render(request, "careleavers/history.html", {"yp": young_person, "page": page})


@staff_required
def event_new(request, pk: int, *, staff):
    young_person = young_person_for(request.user, pk=pk)
    require_perm(request.user, "careleavers.record_event", young_person)
    form = EventForm(request.POST or None)
    def record():
        event = compliance_services.event_record(
            young_person=young_person, actor=staff, kind=form.cleaned_data["kind"],
            date=form.cleaned_data["date"], notes=form.cleaned_data["notes"],
        )
        messages.success(request, f"{event.get_kind_display()} recorded. {due_summary(young_person)}")
        return redirect("young_person", pk=young_person.pk)

    if (done := submit_once(request, form, record)) is not None:
        return done
    return render(request, "careleavers/event_form.html", {
        "yp": young_person, "form": form, "error_forms": [form], "pack_events": pack_event_rules(),
    })


@staff_required
def absences(request, *, staff):
    today = timezone.localdate()
    form = AbsenceForm(request.POST or None)
    def plan():
        absence = services.absence_add(staff=staff, actor=staff, **form.cleaned_data)
        messages.success(request, f"Absence from {british(absence.start)} to {british(absence.end)} planned.")
        return redirect("absences")

    if (done := submit_once(request, form, plan)) is not None:
        return done
    planned = PlannedAbsence.objects.filter(staff=staff, end__gte=today).order_by("start")
    # V5: what falls due while you are away, so it can be brought forward.
    clashes = (
        requirements_with_status(Requirement.objects.filter(young_person__pa=staff), today=today)
        .filter(due__gte=today)
        .annotate(in_absence=in_absence("young_person__pa", "due"))
        .filter(in_absence=True)
        .select_related("young_person")
        .order_by("due")
    )
    return render(request, "careleavers/absences.html", {
        "form": form, "error_forms": [form], "planned": planned, "clashes": clashes,
        "past": PlannedAbsence.objects.filter(staff=staff, end__lt=today).order_by("-start")[:10],
    })


@login_required
def notifications(request):
    staff = staff_for(request.user)
    if staff is None:
        raise Http404("No staff record.")
    return render(request, "careleavers/notifications.html", _notifications_context(staff, page=request.GET.get("page")))


def _notifications_context(staff, *, page) -> dict:
    mine = Notification.objects.filter(recipient=staff).select_related("young_person")
    return {"page": Paginator(mine, PAGE_SIZE).get_page(page), "unread": mine.filter(read_at__isnull=True).count()}


@login_required
@require_POST
def notification_read(request, pk: int):
    """Without JavaScript: POST and back to the same page of notifications. With htmx: the row is
    swapped in place, and the unread count with it (out of band)."""
    staff = staff_for(request.user)
    if staff is None or not Notification.objects.filter(pk=pk, recipient=staff).exists():
        raise Http404("No such notification.")  # someone else's is not found
    services.notification_mark_read(actor=staff, notification_id=pk)
    page = request.POST.get("page", "")
    if _htmx_fragment(request):
        return render(request, "careleavers/_notification_read.html", {
            "n": Notification.objects.get(pk=pk), "focus": True, "page_number": int(page) if page.isdigit() else 1,
            "unread": Notification.objects.filter(recipient=staff, read_at__isnull=True).count(),
        })
    return redirect(reverse("notifications") + (f"?page={int(page)}" if page.isdigit() else ""))


@login_required
@require_POST
def notifications_read_all(request):
    """Without JavaScript: POST, a message and back to the notifications. With htmx: the list is
    swapped in place, with the message in it."""
    staff = staff_for(request.user)
    if staff is None:
        raise Http404("No staff record.")
    count = services.notification_mark_read(actor=staff)
    done = f"{count} notification{'' if count == 1 else 's'} marked as read."
    if _htmx_fragment(request):
        return render(request, "careleavers/_notifications.html", _notifications_context(
            staff, page=request.POST.get("page")) | {"done": done})
    messages.success(request, done)
    return redirect("notifications")


def pack_event_rules() -> list[dict]:
    """The active pack's event rows (T6, T7, P1), to say what recording an event will do."""
    kinds = dict(EventKind.choices)
    return [
        {"kind_label": kinds.get(pe.event_kind, pe.event_kind), "requirement_label": pe.get_requirement_display(),
         "window_days": pe.window_days, "rule": pe.rule}
        for pe in PackEvent.objects.filter(pack__is_active=True).order_by("event_kind")
    ]
