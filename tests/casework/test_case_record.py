"""Issue 11 (items 1, 6, 8, 9): registration and the unallocated queue, allocation, reallocation and cover,
closing and reopening, the read-only admin. Personas from tests/conftest.py: alice (PA, North), charlie (PA,
South), tess (TL, North), trent (TL, South), sol (Service Leader), hana (Head of Service); duty admin below."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careleavers.models import (
    Allocation,
    CaseClosure,
    ClosureReason,
    Cover,
    LegalStatus,
    LegalStatusChange,
    Notification,
    PlannedAbsence,
    Role,
    YoungPerson,
)
from compliance import services
from compliance.engine import requirements_as_of
from core.dates import birthday
from core.errors import InvalidState, NotAllowed, ServiceError
from core.models import AuditEvent, AuditKind
from tests.careleavers.helpers import days_ago, today, young_person
from tests.conftest import login
from tests.factories import ContactFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def duty(db):
    return StaffFactory(ref="dora", name="Dora Duty", role=Role.DUTY_ADMIN, team=None)


@pytest.fixture
def alex(north):
    return StaffFactory(ref="alex", name="Alex Ahmed", role=Role.PA, team=north)


def register(actor, team, **fields):
    values = {"name": "Riley Referral", "date_of_birth": birthday(today(), -17), "legal_status": LegalStatus.RELEVANT,
              "legal_status_from": days_ago(30), "referring_team": team, "today": today()} | fields
    return services.young_person_register(actor=actor, **values)


def codes(yp):
    return {r.code: r for r in yp.requirements.all()}


# --- Item 1: registration, "PA allocated", the unallocated queue --------------------------------------------


def test_registration_by_team_leader_waits_unallocated_with_pa_allocated_due(tess, north):
    yp = register(tess, north, preferred_name="Ri", ceased_looked_after_on=days_ago(30))
    assert yp.pa is None and yp.allocated_on is None and yp.referred_on == today()
    assert yp.preferred_name == "Ri" and yp.referring_team == north
    assert list(LegalStatusChange.objects.filter(young_person=yp).values_list("status", "from_date")) == [
        (LegalStatus.RELEVANT, days_ago(30))]
    rows = codes(yp)
    # V3: nothing counts before allocation; "PA allocated" is due the pack's allocation_days (england: 7) later.
    assert set(rows) == {"pa_allocated"}
    assert rows["pa_allocated"].due == today() + dt.timedelta(days=7)
    assert rows["pa_allocated"].basis == "allocation"
    assert AuditEvent.objects.filter(kind=AuditKind.YOUNG_PERSON_REGISTERED, young_person=yp).exists()


def test_pa_allocated_goes_overdue_after_the_pack_setting(tess, north):
    yp = register(tess, north, today=days_ago(10))
    [row] = requirements_as_of(today(), [yp.pk])
    assert row.code == "pa_allocated" and row.status_on(today()) == "overdue" and row.days_overdue_on(today()) == 3


def test_service_leader_registers_for_any_team(sol, south):
    assert register(sol, south).referring_team == south


@pytest.mark.parametrize("persona", ["alice", "charlie", "hana", "duty"])
def test_only_team_leaders_and_service_leader_register(request, persona, north):
    with pytest.raises(NotAllowed):
        register(request.getfixturevalue(persona), north)
    assert not YoungPerson.objects.exists()


def test_team_leader_of_another_team_cannot_register_for_north(trent, north):
    with pytest.raises(ServiceError) as exc:
        register(trent, north)
    assert exc.value.field == "referring_team"


@pytest.mark.parametrize(("dob", "message"), [
    (lambda: today() + dt.timedelta(days=1), "future"),
    (lambda: birthday(today(), -13), "from 14"),
])
def test_registration_refuses_a_bad_date_of_birth(tess, north, dob, message):
    with pytest.raises(ServiceError) as exc:
        register(tess, north, date_of_birth=dob())
    assert exc.value.field == "date_of_birth" and message in str(exc.value)
    assert not YoungPerson.objects.exists()


def test_register_page_shows_the_date_of_birth_error_next_to_its_field(client, tess, north):
    login(client, tess)
    response = client.post(reverse("register_young_person"), {
        "name": "Riley", "date_of_birth": (today() + dt.timedelta(days=3)).isoformat(), "legal_status": "relevant",
        "legal_status_from": days_ago(3).isoformat(), "referring_team": north.pk})
    assert response.status_code == 200
    assert "cannot be in the future" in str(response.context["form"].errors["date_of_birth"])
    assert not YoungPerson.objects.exists()


def test_register_page_creates_and_lands_on_the_record(client, tess, north):
    login(client, tess)
    response = client.post(reverse("register_young_person"), {
        "name": "Riley", "date_of_birth": birthday(today(), -17).isoformat(), "legal_status": "relevant",
        "legal_status_from": days_ago(3).isoformat(), "referring_team": north.pk})
    yp = YoungPerson.objects.get()
    assert response.status_code == 302 and response.url == reverse("young_person", args=[yp.pk])
    page = client.get(response.url)
    assert b"Waiting for a Personal Adviser" in page.content and b"Allocate a PA" in page.content


def test_unallocated_queue_for_team_leader_shows_their_team_with_days_waiting(client, tess, trent, north, south):
    mine = register(tess, north, name="North Waiting", today=days_ago(9))
    register(trent, south, name="South Waiting")
    login(client, tess)
    response = client.get(reverse("unallocated"))
    [row] = list(response.context["page"])
    assert row == mine and row.days_waiting == 9 and row.allocation_status == "overdue"
    assert b"South Waiting" not in response.content
    # The Team Leader sees the referral's record though no PA holds it yet (core.rules.visible_young_people).
    assert client.get(reverse("young_person", args=[mine.pk])).status_code == 200


def test_unallocated_queue_for_service_leader_shows_every_team(client, sol, tess, trent, north, south):
    register(tess, north, name="North Waiting")
    register(trent, south, name="South Waiting")
    login(client, sol)
    assert len(client.get(reverse("unallocated")).context["page"]) == 2


@pytest.mark.parametrize("persona", ["alice", "duty"])
def test_unallocated_queue_refused_to_others(client, request, persona):
    login(client, request.getfixturevalue(persona))
    assert client.get(reverse("unallocated")).status_code == 403


def test_unallocated_queue_is_in_the_navigation_for_managers(client, tess, alice):
    login(client, tess)
    assert reverse("unallocated").encode() in client.get(reverse("team_absences")).content
    login(client, alice)
    assert reverse("unallocated").encode() not in client.get(reverse("absences")).content


@pytest.mark.parametrize("n", [2, 12])
def test_unallocated_queue_query_count_does_not_grow(client, tess, north, n, django_assert_num_queries):
    for i in range(n):
        register(tess, north, name=f"Waiting {i}")
    login(client, tess)
    # sign-in and middleware (3: the staff record is read with the user, issue 16) / count / page of people with
    # their due dates / unread count
    with django_assert_num_queries(6):
        client.get(reverse("unallocated"))


# --- Item 6: allocation, reallocation, cover --------------------------------------------------------------


def test_allocation_of_a_referral_starts_the_pattern_and_ends_pa_allocated(tess, alice, north):
    yp = register(tess, north)
    services.allocation_make(young_person=yp, pa=alice, actor=tess)
    yp.refresh_from_db()
    assert yp.pa == alice and yp.allocated_on == today()
    rows = codes(yp)
    assert "pa_allocated" not in rows
    assert rows["visit"].due == today() + dt.timedelta(days=56)  # V1, V3: counted from allocation
    assert Notification.objects.filter(recipient=alice, kind="allocation").exists()


def test_team_leader_cannot_allocate_to_a_pa_of_another_team(tess, charlie, north):
    yp = register(tess, north)
    with pytest.raises(ServiceError) as exc:
        services.allocation_make(young_person=yp, pa=charlie, actor=tess)
    assert exc.value.field == "pa" and "another team" in str(exc.value)
    yp.refresh_from_db()
    assert yp.pa is None and not Allocation.objects.filter(young_person=yp).exists()


def test_reallocation_page_shows_the_other_team_error_next_to_the_field(client, tess, alice, charlie):
    yp = young_person(alice)
    login(client, tess)
    response = client.post(reverse("allocate", args=[yp.pk]), {"pa": charlie.pk, "start": today().isoformat()})
    # A Team Leader is offered only their own team's PAs: another team's is not a valid choice.
    assert response.status_code == 200 and "pa" in response.context["form"].errors
    yp.refresh_from_db()
    assert yp.pa == alice


def test_reallocation_leaves_every_due_date_as_it_was(tess, alice, alex):
    yp = young_person(alice, allocated_days_ago=200)
    ContactFactory(young_person=yp, date=days_ago(20))
    services.interval_override_set(young_person=yp, requirement="visit", interval_days=28, reason="Needs",
                                   actor=tess)
    before = {r.code: (r.last_met, r.due, r.due_soon_from, r.basis) for r in yp.requirements.all()}
    services.allocation_make(young_person=yp, pa=alex, actor=tess, reason="Caseload balance")
    after = {r.code: (r.last_met, r.due, r.due_soon_from, r.basis) for r in yp.requirements.all()}
    assert after == before  # V3: reallocation never resets a clock
    yp.refresh_from_db()
    assert yp.pa == alex and yp.allocated_on == days_ago(200)
    allocations = list(Allocation.objects.filter(young_person=yp).order_by("start", "id"))
    assert [(a.pa, a.end) for a in allocations] == [(alice, today()), (alex, None)]
    # Both PAs are told.
    assert Notification.objects.filter(recipient=alice, kind="allocation").exists()
    assert Notification.objects.filter(recipient=alex, kind="allocation").exists()


def test_service_leader_reallocates_across_teams(sol, alice, charlie):
    yp = young_person(alice)
    services.allocation_make(young_person=yp, pa=charlie, actor=sol)
    yp.refresh_from_db()
    assert yp.pa == charlie


@pytest.mark.parametrize("persona", ["alice", "charlie", "trent", "hana", "duty"])
def test_only_the_case_team_leader_or_service_leader_allocates(request, persona, alice, alex):
    yp = young_person(alice)
    with pytest.raises(NotAllowed):
        services.allocation_make(young_person=yp, pa=alex, actor=request.getfixturevalue(persona))
    yp.refresh_from_db()
    assert yp.pa == alice


def test_cover_lets_the_covering_pa_see_and_work_the_case_meanwhile(client, tess, alice, alex):
    yp = young_person(alice)
    login(client, alex)
    assert client.get(reverse("young_person", args=[yp.pk])).status_code == 404
    services.cover_set(young_person=yp, pa=alex, actor=tess, start=today(), end=today() + dt.timedelta(days=10))
    assert client.get(reverse("young_person", args=[yp.pk])).status_code == 200
    assert yp in YoungPerson.objects.visible_to(alex.user)
    # ...and works it: the covering PA logs a contact.
    assert client.get(reverse("contacts:log", args=[yp.pk])).status_code == 200
    assert Notification.objects.filter(recipient=alex, kind="cover").exists()
    assert Notification.objects.filter(recipient=alice, kind="cover").exists()
    # After the cover ends, the case is hidden again.
    assert yp not in YoungPerson.objects.visible_to(alex.user, on=today() + dt.timedelta(days=11))


def test_cover_end_before_start_is_refused_next_to_its_field(tess, alice, alex):
    yp = young_person(alice)
    with pytest.raises(ServiceError) as exc:
        services.cover_set(young_person=yp, pa=alex, actor=tess, start=today(), end=days_ago(1))
    assert exc.value.field == "end"
    assert not Cover.objects.exists()


def test_cover_page_end_before_start_shows_error(client, tess, alice, alex):
    yp = young_person(alice)
    login(client, tess)
    response = client.post(reverse("cover", args=[yp.pk]), {
        "pa": alex.pk, "start": (today() + dt.timedelta(days=5)).isoformat(), "end": today().isoformat()})
    assert response.status_code == 200 and "on or after" in str(response.context["form"].errors["end"])
    assert not Cover.objects.exists()


@pytest.mark.parametrize("persona", ["alice", "charlie", "trent", "duty"])
def test_cover_refused_to_others(request, persona, alice, alex):
    yp = young_person(alice)
    with pytest.raises(NotAllowed):
        services.cover_set(young_person=yp, pa=alex, actor=request.getfixturevalue(persona), start=today(),
                           end=today())


def test_team_leader_plans_a_pa_absence_and_covers_it_in_one_step_split_across_pas(client, tess, alice, alex, north):
    sam = StaffFactory(ref="sam", name="Sam Smith", role=Role.PA, team=north)
    one, two = young_person(alice, name="One"), young_person(alice, name="Two")
    absence = services.absence_plan_for(staff=alice, actor=tess, start=today() + dt.timedelta(days=3),
                                        end=today() + dt.timedelta(days=12), reason="annual_leave")
    login(client, tess)
    response = client.post(reverse("absence_cover", args=[absence.pk]),
                           {"everyone": alex.pk, f"cover_{two.pk}": sam.pk})
    assert response.status_code == 302
    assert {(c.young_person, c.pa, c.start, c.end) for c in Cover.objects.all()} == {
        (one, alex, absence.start, absence.end), (two, sam, absence.start, absence.end)}


def test_absence_cover_needs_a_pa_for_every_case_and_changes_nothing_otherwise(client, tess, alice, alex):
    young_person(alice, name="One")
    absence = services.absence_plan_for(staff=alice, actor=tess, start=today(), end=today(), reason="training")
    login(client, tess)
    response = client.post(reverse("absence_cover", args=[absence.pk]), {})
    assert response.status_code == 200 and b"Choose who covers each case" in response.content
    assert not Cover.objects.exists()


def test_team_leader_of_another_team_cannot_plan_or_see_north_absences(client, trent, tess, alice):
    with pytest.raises(ServiceError):
        services.absence_plan_for(staff=alice, actor=trent, start=today(), end=today(), reason="training")
    absence = services.absence_plan_for(staff=alice, actor=tess, start=today(), end=today(), reason="training")
    login(client, trent)
    assert client.get(reverse("absence_cover", args=[absence.pk])).status_code == 404
    assert PlannedAbsence.objects.count() == 1


@pytest.mark.parametrize("n", [2, 10])
def test_team_absences_page_query_count_does_not_grow(client, tess, north, n, django_assert_num_queries):
    for _ in range(n):
        pa = StaffFactory(role=Role.PA, team=north)
        PlannedAbsence.objects.create(staff=pa, start=today(), end=today(), reason="training")
    login(client, tess)
    # sign-in and middleware (3: the staff record is read with the user, issue 16) / advisers (form choices) /
    # absences / unread count
    with django_assert_num_queries(6):
        client.get(reverse("team_absences"))


# --- Item 8: closing, the s3 request, reopening -----------------------------------------------------------


def test_close_at_21_refused_before_the_birthday_and_changes_nothing(tess, alice):
    yp = young_person(alice, age=19)
    with pytest.raises(ServiceError) as exc:
        services.case_close(young_person=yp, actor=tess, closed_on=today(), reason=ClosureReason.AGE_21)
    assert exc.value.field == "reason"
    yp.refresh_from_db()
    assert yp.closed_on is None and not CaseClosure.objects.exists()


def test_closing_early_removes_the_due_rows_and_leaves_the_caseload(client, tess, alice):
    yp = young_person(alice, age=19)
    closure = services.case_close(young_person=yp, actor=tess, closed_on=today(), reason=ClosureReason.MOVED_AWAY,
                                  details="Moved to Leeds")
    yp.refresh_from_db()
    assert yp.closed_on == today() and "Moved away" in yp.closure_reason
    assert not yp.requirements.exists()
    assert closure.pa == alice
    assert Allocation.objects.get(young_person=yp).end == today()
    login(client, alice)
    assert yp not in list(client.get(reverse("caseload")).context["page"])
    assert YoungPerson.objects.filter(pk=yp.pk).exists()  # nothing deleted


@pytest.mark.parametrize("persona", ["alice", "charlie", "trent", "hana", "duty"])
def test_only_the_case_team_leader_or_service_leader_closes(request, persona, alice):
    yp = young_person(alice)
    with pytest.raises(NotAllowed):
        services.case_close(young_person=yp, actor=request.getfixturevalue(persona), closed_on=today(),
                            reason=ClosureReason.NO_LONGER_WANTS)


def test_s3_request_is_recorded_with_its_date_and_keeps_them_in_service(sol, alice):
    yp = young_person(alice, age=20)
    services.extended_support_request(young_person=yp, actor=sol, requested_on=days_ago(2))
    yp.refresh_from_db()
    assert yp.extended_support and yp.extended_support_requested_on == days_ago(2)
    assert [r.code for r in requirements_as_of(yp.birthday_21 + dt.timedelta(days=1), [yp.pk])]


def test_reopening_after_21_starts_the_pattern_again_from_that_day(tess, alice, alex):
    yp = young_person(alice, age=22, allocated_days_ago=2000)
    services.case_close(young_person=yp, actor=tess, closed_on=days_ago(300), reason=ClosureReason.AGE_21)
    assert not yp.requirements.exists()
    with pytest.raises(ServiceError) as exc:  # bad input: before the closure
        services.case_reopen(young_person=yp, actor=tess, reopened_on=days_ago(400), pa=alex, reason="Back")
    assert exc.value.field == "reopened_on"
    closure = services.case_reopen(young_person=yp, actor=tess, reopened_on=days_ago(5), pa=alex,
                                   reason="Came back asking for help with a tenancy",
                                   extended_support_requested_on=days_ago(6))
    yp.refresh_from_db()
    assert yp.closed_on is None and yp.pa == alex and yp.reopened_on == days_ago(5)
    assert yp.extended_support and yp.extended_support_requested_on == days_ago(6)
    rows = codes(yp)
    # Nobody is "years overdue" the day they come back: every clock starts at the reopening (V3).
    assert rows["visit"].due == days_ago(5) + dt.timedelta(days=56)
    assert rows["pathway_review"].due == days_ago(5) + dt.timedelta(days=182)
    # The history keeps each closure and reopening; nothing deleted.
    assert closure.closed_on == days_ago(300) and closure.reopened_on == days_ago(5)
    assert [a.pa for a in Allocation.objects.filter(young_person=yp).order_by("start")] == [alice, alex]
    kinds = set(AuditEvent.objects.filter(young_person=yp).values_list("kind", flat=True))
    assert {AuditKind.CASE_CLOSED, AuditKind.CASE_REOPENED} <= kinds


def test_a_case_closed_because_the_young_person_died_is_not_reopened(tess, alice):
    yp = young_person(alice, age=19)
    services.case_close(young_person=yp, actor=tess, closed_on=today(), reason=ClosureReason.DIED)
    with pytest.raises(InvalidState):
        services.case_reopen(young_person=yp, actor=tess, reopened_on=today(), pa=alice, reason="Error")


def test_close_page_and_reopen_page(client, tess, alice):
    yp = young_person(alice, age=19)
    login(client, tess)
    assert b"Close the case" in client.get(reverse("young_person", args=[yp.pk])).content
    response = client.post(reverse("case_close", args=[yp.pk]), {"closed_on": today().isoformat(), "reason": "other"})
    assert response.status_code == 200 and "details" in response.context["form"].errors
    response = client.post(reverse("case_close", args=[yp.pk]), {
        "closed_on": today().isoformat(), "reason": "no_longer_wants", "details": ""})
    assert response.status_code == 302
    page = client.get(reverse("young_person", args=[yp.pk]))
    assert b"Reopen the case" in page.content and b"no longer wants a service" in page.content
    response = client.post(reverse("case_reopen", args=[yp.pk]), {
        "reopened_on": today().isoformat(), "pa": alice.pk, "reason": "Changed their mind"})
    assert response.status_code == 302


def test_young_person_page_with_the_case_panel_costs_the_same_queries_at_two_sizes(client, tess, alice):
    def with_history(n):
        yp = young_person(alice)
        for i in range(n):
            Cover.objects.create(young_person=yp, pa=StaffFactory(role=Role.PA, team=alice.team),
                                 start=today() + dt.timedelta(days=10 * i), end=today() + dt.timedelta(days=10 * i + 5))
            CaseClosure.objects.create(young_person=yp, closed_on=days_ago(100 + 10 * i), reason="other",
                                       closed_by=tess, reopened_on=days_ago(95 + 10 * i), reopened_by=tess)
        return yp

    small, large = with_history(1), with_history(6)
    login(client, tess)
    counts = []
    for yp in (small, large):
        client.get(reverse("young_person", args=[yp.pk]))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("young_person", args=[yp.pk]))
        assert b"Closures and reopenings" in response.content
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- Item 9: the admin reads --------------------------------------------------------------------------------


def test_admin_case_records_are_read_only(admin_client, tess, alice):
    yp = young_person(alice)
    closure = services.case_close(young_person=yp, actor=tess, closed_on=today(), reason=ClosureReason.MOVED_AWAY)
    for url in (reverse("admin:careleavers_caseclosure_change", args=[closure.pk]),
                reverse("admin:careleavers_youngperson_change", args=[yp.pk])):
        response = admin_client.get(url)
        assert response.status_code == 200 and b'name="_save"' not in response.content
    assert admin_client.get(reverse("admin:careleavers_caseclosure_add")).status_code == 403
    assert admin_client.get(reverse("admin:careleavers_staff_add")).status_code == 200  # user administration


@pytest.mark.parametrize("model", ["oversight/alert", "oversight/overdueupdate", "oversight/nightlyrun",
                                   "compliance/requirement"])
def test_admin_derived_and_oversight_records_cannot_be_added(admin_client, model):
    assert admin_client.get(f"/admin/{model}/add/").status_code == 403


def test_history_page_shows_each_closure_and_reopening(client, tess, alice):
    yp = young_person(alice, age=19)
    services.case_close(young_person=yp, actor=tess, closed_on=days_ago(3), reason=ClosureReason.MOVED_AWAY)
    services.case_reopen(young_person=yp, actor=tess, reopened_on=today(), pa=alice, reason="Moved back")
    login(client, tess)
    content = client.get(reverse("young_person_history", args=[yp.pk])).content.decode()
    assert "Closure from" in content and "reopened" in content and "Allocation from" in content


@pytest.mark.parametrize("persona", ["alice", "charlie", "trent", "hana", "duty"])
def test_only_the_case_team_leader_or_service_leader_reopens(request, persona, tess, alice):
    yp = young_person(alice, age=19)
    services.case_close(young_person=yp, actor=tess, closed_on=today(), reason=ClosureReason.MOVED_AWAY)
    with pytest.raises(NotAllowed):
        services.case_reopen(young_person=yp, actor=request.getfixturevalue(persona), reopened_on=today(), pa=alice,
                             reason="Back")
    yp.refresh_from_db()
    assert yp.closed_on == today()


def test_service_leader_reopens_to_a_pa_of_any_team(sol, tess, alice, charlie):
    yp = young_person(alice, age=19)
    services.case_close(young_person=yp, actor=tess, closed_on=today(), reason=ClosureReason.MOVED_AWAY)
    services.case_reopen(young_person=yp, actor=sol, reopened_on=today(), pa=charlie, reason="Back, now in the south")
    yp.refresh_from_db()
    assert yp.pa == charlie and yp.closed_on is None


@pytest.mark.parametrize("persona", ["alice", "charlie", "trent", "hana", "duty"])
def test_only_the_case_team_leader_or_service_leader_records_the_s3_request(request, persona, alice):
    yp = young_person(alice, age=20)
    with pytest.raises(NotAllowed):
        services.extended_support_request(young_person=yp, actor=request.getfixturevalue(persona),
                                          requested_on=today())
    yp.refresh_from_db()
    assert not yp.extended_support


def test_s3_request_in_the_future_is_refused_next_to_its_field(tess, alice):
    yp = young_person(alice, age=20)
    with pytest.raises(ServiceError) as exc:
        services.extended_support_request(young_person=yp, actor=tess, requested_on=today() + dt.timedelta(days=1))
    assert exc.value.field == "requested_on"


@pytest.mark.parametrize("persona", ["alice", "charlie", "hana", "duty"])
def test_only_managers_plan_a_pa_absence(request, persona, alice):
    with pytest.raises(ServiceError):
        services.absence_plan_for(staff=alice, actor=request.getfixturevalue(persona), start=today(), end=today(),
                                  reason="training")
    assert not PlannedAbsence.objects.exists()


def test_service_leader_plans_any_pa_absence_and_sets_cover(sol, charlie, alice):
    yp = young_person(charlie)
    absence = services.absence_plan_for(staff=charlie, actor=sol, start=today(), end=today() + dt.timedelta(days=2),
                                        reason="annual_leave")
    [c] = services.cover_for_absence(absence=absence, actor=sol, cover_by={yp.pk: alice})
    assert (c.young_person, c.pa, c.end) == (yp, alice, absence.end)


def test_absence_end_before_start_is_refused(tess, alice):
    with pytest.raises(ServiceError) as exc:
        services.absence_plan_for(staff=alice, actor=tess, start=today() + dt.timedelta(days=2), end=today(),
                                  reason="training")
    assert exc.value.field == "end"


def test_a_reallocation_read_before_someone_else_reallocated_is_refused(tess, alice, alex, north):
    sam = StaffFactory(role=Role.PA, team=north)
    yp = young_person(alice)
    services.allocation_make(young_person=yp, pa=alex, actor=tess)
    with pytest.raises(InvalidState):
        services.allocation_make(young_person=yp, pa=sam, actor=tess, expected_pa_id=alice.pk)
    yp.refresh_from_db()
    assert yp.pa == alex


def test_allocate_cover_and_close_pages_cost_the_same_queries_at_two_sizes(client, tess, alice):
    def with_history(n):
        yp = young_person(alice)
        start = days_ago(300)
        for allocation in Allocation.objects.filter(young_person=yp):
            allocation.end = start
            allocation.save()
        for i in range(n):
            Allocation.objects.create(young_person=yp, pa=StaffFactory(role=Role.PA, team=alice.team),
                                      start=start + dt.timedelta(days=i), end=start + dt.timedelta(days=i + 1))
            Cover.objects.create(young_person=yp, pa=StaffFactory(role=Role.PA, team=alice.team),
                                 start=today() + dt.timedelta(days=10 * i), end=today() + dt.timedelta(days=10 * i + 5))
        return yp

    login(client, tess)
    counts = []
    for yp in (with_history(1), with_history(8)):
        counts.append({})
        for name in ("allocate", "cover", "case_close"):
            url = reverse(name, args=[yp.pk])
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts[-1][name] = len(queries)
    assert counts[0] == counts[1]
