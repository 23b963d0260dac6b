"""Issue 16: the dashboards' reads prepared once per process (core.prepared) give what their querysets give.

Each dashboard is rendered twice, through its prepared reads and through the querysets they are built from (the
way taken for a reader who does not see the whole team or service), and the markup must be the same byte for byte;
then each read is compared with its queryset field by field. On PostgreSQL the prepared SQL itself is run; on SQLite
the querysets are run, through the same making of rows into the instances the pages read."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from approvals.models import ArrangementState
from careleavers.selectors import teams_visible_to
from oversight import reviews, selectors
from oversight.models import DashboardReview, NightlyRun, OverdueUpdate, RunState
from oversight.selectors import Filters
from oversight.tables import REQUESTED_BY, WAITING_FIELDS
from pathway.models import PathwayPlan, PlanState
from tests.conftest import login
from tests.factories import ArrangementFactory

from .conftest import AS_OF

pytestmark = pytest.mark.django_db

TOKENS = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": "|once_token" value=")[^"]+')


@pytest.fixture
def today(on_as_of):
    return on_as_of


@pytest.fixture
def recorded(service, alice, tess, hana, north):
    """Every kind of row the dashboards show: an overdue item with two updates (the latest shown), a plan awaiting
    sign-off, arrangements awaiting the Team Leader and the Service Leader, reviews of each dashboard, a night."""
    for version, reason in ((1, "Cancelled twice"), (2, "Moved <to> a hostel")):
        OverdueUpdate.objects.create(young_person=service.a3, requirement="visit", due=dt.date(2025, 7, 27),
                                     version=version, reason=reason, plan="Visit on 3 March", author=alice,
                                     recorded_on=AS_OF)
    PathwayPlan.objects.create(young_person=service.a1, version=2, state=PlanState.SUBMITTED,
                               review_due=dt.date(2026, 7, 11))
    ArrangementFactory(young_person=service.a2, kind="step_back", state=ArrangementState.REQUESTED, active_from=None)
    ArrangementFactory(young_person=service.b1, kind="reduced_visits", state=ArrangementState.TEAM_LEADER_APPROVED,
                       active_from=None)
    DashboardReview.objects.create(dashboard="team", team=north, period="weekly", reviewed_on=AS_OF, reviewer=tess,
                                   actions="Chase the visits.")
    DashboardReview.objects.create(dashboard="head", period="monthly", reviewed_on=AS_OF, reviewer=hana,
                                   actions="Look again in April.")
    NightlyRun.objects.create(night=AS_OF, state=RunState.DONE, started_at=dt.datetime(2026, 3, 1, 3, 15, tzinfo=dt.UTC),
                              missed_nights=["2026-02-28"])


def _page(client, staff, url) -> str:
    login(client, staff)
    response = client.get(url)
    assert response.status_code == 200
    return TOKENS.sub(r"\1X", response.content.decode())


@pytest.mark.parametrize("persona, name, params", [
    ("tess", "oversight:team", ""), ("tess", "oversight:team", "?date_from=2025-07-01&date_to=2026-03-31"),
    ("sol", "oversight:team", "?team={north}&pa={alice}"), ("hana", "oversight:head", ""),
    ("hana", "oversight:head", "?team={north}"), ("sol", "oversight:service", ""),
    ("sol", "oversight:service", "?team={north}&sort=overdue"),
])
def test_each_dashboard_is_the_same_through_its_prepared_reads_and_its_querysets(
        client, request, monkeypatch, recorded, north, alice, today, persona, name, params):
    staff, url = request.getfixturevalue(persona), reverse(name) + params.format(north=north.pk, alice=alice.pk)
    prepared = _page(client, staff, url)
    assert "Moved &lt;to&gt; a hostel" in prepared or name != "oversight:team"  # the latest update, escaped
    monkeypatch.setattr(selectors, "sees_whole_team", lambda *args, **kwargs: False)
    monkeypatch.setattr(selectors, "_sees_everyone", lambda user: False)
    assert _page(client, staff, url) == prepared


def _item(r) -> tuple:
    pa = r.young_person.pa
    team = getattr(pa, "team", None) if pa is not None else None
    return (r.young_person_id, r.code, r.due, r.status, r.young_person.name, r.young_person.ref,
            pa.pk if pa else None, pa.name if pa else None, (team.pk, team.name) if team else None,
            r.update_reason, r.update_plan, r.update_on, r.update_by)


@pytest.mark.parametrize("filters", [Filters(), Filters(date_from=dt.date(2025, 7, 1), date_to=dt.date(2026, 2, 28))])
def test_the_team_pages_reads_are_their_querysets(recorded, tess, alice, north, today, filters):
    summary = selectors.team_pa_summary(user=tess.user, team=north, today=today, filters=filters)
    assert summary == list(selectors._team_pa_summary(  # noqa: SLF001
        selectors.Requirement.objects.all(), team_id=north.pk, today=today, date_from=filters.date_from,
        date_to=filters.date_to))
    assert [s["young_person__pa__name"] for s in summary] == ["Alice Adams", "Bella Brown"]
    pages = selectors.team_item_pages(user=tess.user, team=north, today=today, filters=filters)
    assert isinstance(pages, selectors.TeamItems)  # a Team Leader sees their whole team: the prepared way
    whole = [_item(r) for r in selectors.team_items(user=tess.user, team=north, today=today, filters=filters)]
    assert [_item(r) for r in pages[0:100]] == whole and whole
    assert [_item(r) for r in pages[1:3]] == whole[1:3]  # a page is its slice of the list
    assert pages[2:2] == []
    updated = next(i for i in whole if i[0] == recorded_a3(north) and i[1] == "visit")
    assert updated[-4:] == ("Moved <to> a hostel", "Visit on 3 March", AS_OF, "Alice Adams")


def recorded_a3(north):
    return selectors.YoungPerson.objects.get(name="Abe Three").pk


def test_plans_arrangements_and_the_longest_overdue_are_their_querysets(recorded, tess, hana, north, today):
    def plan(p):
        return (p.pk, p.young_person_id, p.submitted_at, p.review_due, p.young_person.name, p.young_person.pa.name)

    def arrangement(a):
        return (a.pk, a.young_person_id, a.get_kind_display(), a.get_state_display(), a.requested_at,
                a.young_person.name, a.young_person.pa.name)

    plans = selectors.plans_awaiting_sign_off(user=tess.user, team=north)
    assert [plan(p) for p in selectors.team_plans(user=tess.user, team=north)] == [plan(p) for p in plans] != []
    arrangements = selectors.arrangements_awaiting_decision(user=tess.user, team=north)
    assert [arrangement(a) for a in selectors.team_arrangements(user=tess.user, team=north)] == [
        arrangement(a) for a in arrangements] != []
    for team in (None, north):
        top = selectors.longest_overdue_top(user=hana.user, today=today, team=team, limit=3)
        assert [_item(r) for r in top] == [
            _item(r) for r in selectors.longest_overdue(user=hana.user, today=today, team=team)[:3]] != []


def test_the_shared_reads_are_their_querysets(recorded, tess, sol, hana, alice, north, today):
    for user in (tess.user, sol.user, alice.user):
        assert selectors.dashboard_teams(user) == list(teams_visible_to(user).values_list("pk", "ref", "name"))
    assert selectors.team_pas(north) == [(alice.pk, "Alice Adams"), (selectors.Staff.objects.get(name="Bella Brown").pk,
                                                                     "Bella Brown")]
    run, latest = selectors.last_run(), NightlyRun.objects.order_by("-night").first()
    assert [getattr(run, f.attname) for f in NightlyRun._meta.concrete_fields] == [
        getattr(latest, f.attname) for f in NightlyRun._meta.concrete_fields]
    for dashboard, team in (("team", north), ("head", None), ("service", None)):
        review = reviews.latest_review(dashboard=dashboard, team=team)
        expected = DashboardReview.objects.filter(dashboard=dashboard, team=team).order_by("-reviewed_on", "-id").first()
        assert (review and (review.pk, review.reviewed_on, review.reviewer.name, review.get_period_display(),
                            review.actions)) == (expected and (expected.pk, expected.reviewed_on, expected.reviewer.name,
                                                               expected.get_period_display(), expected.actions))
    assert selectors.done_nights(date_from=AS_OF - dt.timedelta(days=7), date_to=AS_OF) == [AS_OF]
    for team in (None, north):
        waiting = selectors.reduced_visits_awaiting_service_leader(user=sol.user, team=team)
        assert selectors.reduced_visits_waiting_rows(user=sol.user, team=team) == list(
            waiting.annotate(requested_by_name=REQUESTED_BY).values_list(*WAITING_FIELDS)) != []
