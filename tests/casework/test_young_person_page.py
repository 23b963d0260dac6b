"""Issue 16: the young person's page asks whether the reader may mark a contact as recorded in error or correct it
once per member of staff who recorded contacts (casework.views._timeline_rows), not twice per contact; the links are
the same as when each contact was asked about."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.urls import reverse

from careleavers.models import Role
from tests.conftest import login
from tests.factories import ContactFactory, StaffFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db


def _links(html: str, name: str) -> set[int]:
    return {int(pk) for pk in re.findall(rf'href="/young-people/\d+/contacts/(\d+)/{name}/"', html)}


@pytest.fixture
def timeline(alice, north):
    bob = StaffFactory(ref="bob", name="Bob Brown", role=Role.PA, team=north)
    yp = YoungPersonFactory(pa=alice)
    mine = [ContactFactory(young_person=yp, recorded_by=alice, date=dt.date(2026, 1, d)) for d in (5, 6, 7)]
    bobs = [ContactFactory(young_person=yp, recorded_by=bob, date=dt.date(2026, 1, d)) for d in (8, 9)]
    nobody = ContactFactory(young_person=yp, recorded_by=None, date=dt.date(2026, 1, 10))
    voided = ContactFactory(young_person=yp, recorded_by=alice, date=dt.date(2026, 1, 11), voided_at=dt.datetime(
        2026, 1, 12, tzinfo=dt.UTC), void_reason="Wrong person")
    return yp, mine, bobs, nobody, voided


def test_a_pa_may_change_only_the_contacts_they_recorded(client, alice, timeline):
    yp, mine, _bobs, _nobody, _voided = timeline
    login(client, alice)
    html = client.get(reverse("young_person", args=[yp.pk])).content.decode()
    assert f'href="{reverse("contacts:void", args=[yp.pk, mine[0].pk])}"' in html
    assert _links(html, "void") == _links(html, "correct") == {c.pk for c in mine}
    assert "Recorded in error: Wrong person" in html


def test_the_team_leader_may_change_every_contact_not_voided(client, tess, timeline):
    yp, mine, bobs, nobody, _voided = timeline
    login(client, tess)
    html = client.get(reverse("young_person", args=[yp.pk])).content.decode()
    assert _links(html, "void") == _links(html, "correct") == {c.pk for c in [*mine, *bobs, nobody]}


# --- issue 16: the timeline written in one pass, the page's reads shared by its panels --------------------------


def test_the_timeline_written_in_one_pass_is_the_templates_markup(client, tess, timeline):
    """casework.views.timeline_html gives the bytes templates/careleavers/_timeline_rows.html gives: every branch
    (a visit's checklist with and without its overall suitability, a note with line breaks and markup to escape, a
    contact with a time, one recorded in error, the links to change a contact, an entry by nobody)."""
    from django.template.loader import render_to_string

    from careleavers.models import CaseNote
    from casework.views import _timeline_rows, timeline_html
    from contacts.models import VisitCheck

    yp, mine, _bobs, _nobody, _voided = timeline
    for contact, suitability in ((mine[0], "unsuitable"), (mine[1], "")):
        VisitCheck.objects.create(contact=contact, health_and_safety="good", furnishings_and_kitchen="poor",
                                  occupancy="good", trend="same", overall_suitability=suitability)
    mine[2].time, mine[2].note = dt.time(9, 5), "First line <b>&</b>\nsecond \"line\" it's"
    mine[2].save()
    CaseNote.objects.create(young_person=yp, subject="Tom & Jerry's <visit>", text="a\r\nb", author=tess)
    login(client, tess)
    response = client.get(reverse("young_person", args=[yp.pk]))
    rows = _timeline_rows(response.context["timeline"], user=tess.user, young_person=yp)
    assert {row[0].kind for row in rows} >= {"contact", "note"}
    assert any(row[3] for row in rows) and any(row[1] and row[2] for row in rows)
    expected = render_to_string("careleavers/_timeline_rows.html", {"timeline_rows": rows})
    assert timeline_html(rows) == expected
    assert "Living environment" in expected and "; unsuitable." in expected and "&lt;b&gt;&amp;&lt;/b&gt;<br>" in expected
    assert expected in response.content.decode()
    assert timeline_html([]) == render_to_string("careleavers/_timeline_rows.html", {"timeline_rows": []})


def _every_panel(alice, size: int):
    """A young person with `size` of each record every panel and the timeline read (plans, arrangements, notes,
    documents, checks, overdue items), so a count that grew with the history would show."""
    from approvals.models import ArrangementState
    from careleavers.models import CaseNote, Event
    from compliance.engine import recompute_young_person
    from contacts.models import Escalation
    from tests.careleavers.helpers import days_ago, young_person
    from tests.factories import ArrangementFactory, SignedOffPlanFactory

    yp = young_person(alice, allocated_days_ago=400)
    for i in range(size):
        ContactFactory(young_person=yp, date=days_ago(300 + i), recorded_by=alice)
        Event.objects.create(young_person=yp, kind="significant_change", date=days_ago(300 + i))
        CaseNote.objects.create(young_person=yp, subject=f"note {i}", text="x", author=alice)
        Escalation.objects.create(young_person=yp, step="letter", date=days_ago(300 + i), recorded_by=alice)
        SignedOffPlanFactory(young_person=yp, version=i + 1)
        ArrangementFactory(young_person=yp, state=ArrangementState.WITHDRAWN, requested_by=alice)
    recompute_young_person(yp)
    assert yp.requirements.exists()
    return yp


@pytest.mark.parametrize("size", [3, 30])
def test_young_person_page_with_every_panel_runs_a_fixed_number_of_queries(client, alice, size,
                                                                           django_assert_num_queries):
    yp = _every_panel(alice, size)
    login(client, alice)
    client.get(reverse("young_person", args=[yp.pk]))
    # session / savepoint / user with their staff record (issue 16: one query) / young person (its visibility
    # answered by reading it) / the view's audit row / absences / requirements / pack / timeline: contacts, events,
    # escalations, the plans, the arrangements with
    # their decisions and step-back checklists (3: read once for their panels and the timeline), case notes / pack
    # events / the case panel's cover and closures, the case record's accommodation, activity and key
    # professionals, the documents with their earlier versions' count and the allocations, in one query
    # (casework.young_person_reads.casework_rows) / the overdue items' updates (the items are the page's
    # requirements) / in-touch checks / the notes panel's notes / the active flags / release savepoint: 23.
    # Issue 16: 37 before (the plans, arrangements and overdue requirements read twice, the visibility asked thrice),
    # then 31 (the staff record in a query of its own, the earlier versions counted in another), then 29 (seven
    # reads of the panels' rows apart; still apart on SQLite, where nothing is prepared: 29). Then on PostgreSQL
    # the absences, requirements, pack and its event rules, the timeline's contacts, events, escalations and case
    # notes, the plans, the arrangements, the in-touch checks, the notes panel's notes and the flags in one round
    # trip (core.batch; the arrangements' two prefetches follow it): savepoint / session / user / young person /
    # audit row / the page's reads / decisions / checklists / the panels' rows / the overdue items' updates /
    # release savepoint: 11.
    with django_assert_num_queries(11 if connection.vendor == "postgresql" else 29):
        response = client.get(reverse("young_person", args=[yp.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("text", ["plain", "a\r\nb\rc\nd", "<b>&</b>\n'\"", ""])
def test_the_timelines_line_breaks_are_the_filters(text):
    """Issue 16: a case note's line breaks written as the linebreaksbr filter writes them (without its wrappers)."""
    from django.template.defaultfilters import linebreaksbr
    from django.utils.safestring import mark_safe

    from casework.views import _linebreaksbr
    assert _linebreaksbr(text) == linebreaksbr(text)
    assert _linebreaksbr(mark_safe(text)) == linebreaksbr(mark_safe(text))  # noqa: S308  (a test of the filter)


# --- issue 16: the case panel's, the allocations' and the documents panel's reads compiled once per process ---------


def test_the_prepared_panels_show_the_records_values(client, tess, alice):
    """casework.panels.case_covers/case_closures/case_allocations and the documents panel read through
    core.prepared (compiled once per process on PostgreSQL) as dicts of the values shown: the page shows the same
    names, dates, reasons' labels and version counts as the model instances did, and the queries are compiled."""
    from django.db import connection

    from careleavers.models import Allocation, CaseClosure, ClosureReason, Cover, Document, DocumentKind
    from casework import documents, panels

    yp = YoungPersonFactory(pa=alice)
    Allocation.objects.create(young_person=yp, pa=tess, start=dt.date(2024, 1, 2), end=dt.date(2024, 6, 30),
                              reason="Moved <north>")
    Cover.objects.create(young_person=yp, pa=tess, start=dt.date(2026, 1, 1), end=dt.date(2099, 1, 9), reason="Leave")
    CaseClosure.objects.create(young_person=yp, closed_on=dt.date(2025, 1, 2), reason=ClosureReason.MOVED_AWAY,
                               details="Went & away", closed_by=tess, reopened_on=dt.date(2025, 3, 4),
                               reopened_by=alice, reopen_reason="Came back")

    def document(**values):
        return Document.objects.create(young_person=yp, file="documents/x.pdf", stored_as="x", original_name="x.pdf",
                                       content_type="application/pdf", size=3, sha256="0" * 64, uploaded_by=alice,
                                       kind=DocumentKind.LETTER, **values)

    first = document(title="GP letter", dated=dt.date(2025, 1, 1))
    newer = document(title="GP letter v2", dated=dt.date(2025, 2, 1), supersedes=first)
    login(client, tess)
    html = client.get(reverse("young_person", args=[yp.pk])).content.decode()
    assert "Tess Turner: 2 Jan 2024 to 30 Jun 2024 (Moved &lt;north&gt;)" in html
    assert "Cover: Tess Turner, 1 Jan 2026 to 9 Jan 2099 (now): Leave" in html
    assert ("Closed 2 Jan 2025 (moved away: Went &amp; away) by Tess Turner; reopened 4 Mar 2025 by Alice Adams: "
            "Came back") in html
    assert (f'<a href="/young-people/{yp.pk}/documents/{newer.pk}/download/">GP letter v2</a> · Letter · 1 Feb 2025'
            " (newer version)") in html
    assert f"/documents/{first.pk}/download/" not in html
    assert "All documents and 1 earlier version</a>" in html
    if connection.vendor == "postgresql":
        for prepared in (panels.prepared_covers(), panels.prepared_closures(), panels.prepared_allocations(),
                         documents.prepared_panel_documents()):
            assert "default" in prepared._compiled  # noqa: SLF001  (compiled once, kept per database alias)


def test_the_prepared_case_record_panel_shows_what_is_in_force(client, tess, alice):
    """casework.case_record_panel reads careleavers.selectors' builders prepared: the accommodation and activity in
    force today (not the past or the future one) with their labels, the professionals still involved by role."""
    from django.db import connection

    from careleavers.models import AccommodationPeriod, ActivityPeriod, KeyProfessional, ProfessionalRole
    from casework.case_record_panel import prepared_case_record

    yp = YoungPersonFactory(pa=alice)
    AccommodationPeriod.objects.create(young_person=yp, code="B", start=dt.date(2020, 1, 1), end=dt.date(2024, 1, 1))
    AccommodationPeriod.objects.create(young_person=yp, code="C", start=dt.date(2024, 1, 1), suitable=False,
                                       unsuitable_reason="Damp & mould")
    AccommodationPeriod.objects.create(young_person=yp, code="D", start=dt.date(2099, 1, 1))
    ActivityPeriod.objects.create(young_person=yp, code="F1", provider="Tesco & Co", start=dt.date(2025, 1, 1))
    KeyProfessional.objects.create(young_person=yp, role=ProfessionalRole.GP, name="Dr Who", organisation="NHS")
    KeyProfessional.objects.create(young_person=yp, role=ProfessionalRole.HEALTH, name="Ann", ended_on=dt.date(2024, 1, 1))
    login(client, tess)
    html = client.get(reverse("young_person", args=[yp.pk])).content.decode()
    assert ('<dd class="col-sm-8">C: Community home or other form of residential care since 1 Jan 2024: '
            "<strong>not suitable</strong> (Damp &amp; mould)</dd>") in html
    assert '<dd class="col-sm-8">F1: Full-time in higher education (Tesco &amp; Co) since 1 Jan 2025</dd>' in html
    assert '<dt class="col-sm-4">GP</dt><dd class="col-sm-8">Dr Who, NHS</dd>' in html
    assert "Ann" not in html
    if connection.vendor == "postgresql":
        assert all("default" in prepared._compiled for prepared in prepared_case_record())  # noqa: SLF001
