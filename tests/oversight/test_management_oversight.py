"""Issue 12, item 2 (O1): management oversight. A Team Leader, Service Leader or Head of Service answers a PA's
update on an overdue item (a management-oversight case note; the PA is told); the weekly and monthly dashboard
reviews leave a record (who, which team's dashboard or the service's, when, the actions agreed), and every dashboard
shows when it was last reviewed and by whom."""

import pytest
from django.urls import reverse

from careleavers.models import CaseNote, Notification
from core.errors import NotAllowed, ServiceError
from core.models import AuditEvent, AuditKind
from oversight.models import DashboardReview, OverdueAnswer
from oversight.services import dashboard_review_record, overdue_update_add, overdue_update_answer
from tests.conftest import login
from tests.pathway.helpers import make_young_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def jamie(alice):
    """Allocated 100 days ago with no visit: the visit is overdue (V1, V3)."""
    return make_young_person(alice, name="Jamie Doe", allocated_days_ago=100)


@pytest.fixture
def update(jamie, alice):
    return overdue_update_add(young_person=jamie, requirement="visit", reason="Cancelled twice",
                              plan="Visit booked Friday", actor=alice)


def answer(update, actor, text="Agreed; if Friday fails, we review the support (PCC)."):
    return overdue_update_answer(update=update, actor=actor, text=text)


@pytest.mark.parametrize("who", ["tess", "sol", "hana"])
def test_o1_a_manager_answers_the_pas_update_and_the_pa_is_told(request, update, alice, who):
    manager = request.getfixturevalue(who)
    result = answer(update, manager)
    assert (result.update, result.author, result.note.kind, result.note.author) == (update, manager, "oversight", manager)
    assert "we review the support" in result.note.text
    told = Notification.objects.get(recipient=alice, kind="oversight.overdue_answer")
    assert manager.name in told.message
    assert AuditEvent.objects.get(kind=AuditKind.OVERDUE_UPDATE_ANSWERED).data["update"] == update.pk


@pytest.mark.parametrize("who", ["alice", "charlie", "trent"])
def test_o1_only_a_manager_of_the_case_answers(request, update, who):
    with pytest.raises(NotAllowed):
        answer(update, request.getfixturevalue(who))
    assert not OverdueAnswer.objects.exists()
    assert not CaseNote.objects.filter(subject__startswith="Oversight:").exists()


def test_o1_an_empty_answer_is_refused(update, tess):
    with pytest.raises(ServiceError) as exc:
        answer(update, tess, text="  ")
    assert exc.value.field == "text"
    assert not OverdueAnswer.objects.exists()


def test_o1_the_answer_page_and_the_panel(client, jamie, update, alice, tess, trent):
    url = reverse("oversight:overdue_answer", args=[jamie.pk, update.pk])
    login(client, alice)
    assert client.get(url).status_code == 403
    assert "Answer this update" not in client.get(reverse("young_person", args=[jamie.pk])).content.decode()
    login(client, trent)
    assert client.get(url).status_code == 404
    login(client, tess)
    assert "Answer this update" in client.get(reverse("young_person", args=[jamie.pk])).content.decode()
    assert client.post(url, {"text": ""}).status_code == 400
    assert client.post(url, {"text": "Agreed: review on Monday.", "once_token": "a-1"}).status_code == 302
    assert client.post(url, {"text": "Agreed: review on Monday.", "once_token": "a-1"}).status_code == 302
    assert OverdueAnswer.objects.count() == 1
    login(client, alice)
    assert "Management oversight" in client.get(reverse("young_person", args=[jamie.pk])).content.decode()
    assert "Agreed: review on Monday." in client.get(reverse("young_person", args=[jamie.pk])).content.decode()


# --- dashboard reviews -------------------------------------------------------------------------------------------

def review(actor, *, dashboard="team", team=None, period="weekly", actions="Chase the three overdue visits."):
    return dashboard_review_record(actor=actor, dashboard=dashboard, team=team, period=period, actions=actions)


def test_o1_a_team_leader_records_the_weekly_review_of_their_teams_dashboard(tess, north):
    r = review(tess, team=north)
    assert (r.dashboard, r.team, r.period, r.reviewer) == ("team", north, "weekly", tess)
    assert AuditEvent.objects.get(kind=AuditKind.DASHBOARD_REVIEWED).data["team"] == north.pk


@pytest.mark.parametrize(("who", "dashboard", "team", "allowed"), [
    ("tess", "team", "south", False), ("tess", "service", None, False), ("alice", "team", "north", False),
    ("sol", "team", "south", True), ("sol", "service", None, True), ("hana", "head", None, True),
])
def test_o1_who_records_which_review(request, who, dashboard, team, allowed):
    actor = request.getfixturevalue(who)
    team = request.getfixturevalue(team) if team else None
    if allowed:
        assert review(actor, dashboard=dashboard, team=team, period="monthly").reviewer == actor
    else:
        with pytest.raises(NotAllowed):
            review(actor, dashboard=dashboard, team=team)
        assert not DashboardReview.objects.exists()


@pytest.mark.parametrize(("values", "field"), [({"actions": " "}, "actions"), ({"period": "daily"}, "period"),
                                               ({"dashboard": "team", "team": None}, "team")])
def test_o1_a_review_needs_its_actions_period_and_team(tess, north, values, field):
    with pytest.raises(ServiceError) as exc:
        review(tess, **({"team": north} | values))
    assert exc.value.field == field


def test_o1_every_dashboard_shows_when_it_was_last_reviewed_and_by_whom(client, tess, sol, hana, north):
    login(client, tess)
    team_page = client.get(reverse("oversight:team")).content.decode()
    assert "Not reviewed yet." in team_page and "Record a review" in team_page
    response = client.post(reverse("oversight:dashboard_review"), {
        "dashboard": "team", "team": north.pk, "period": "weekly", "actions": "Book the visits.",
        "next": reverse("oversight:team"), "once_token": "r-1"})
    assert response.status_code == 302 and response.url == reverse("oversight:team")
    team_page = client.get(reverse("oversight:team")).content.decode()
    assert "Last reviewed on" in team_page and "by Tess Turner (weekly review)" in team_page
    assert "Book the visits." in team_page
    login(client, sol)
    assert "Not reviewed yet." in client.get(reverse("oversight:service")).content.decode()
    review(sol, dashboard="service")
    assert "by Sol Singh (weekly review)" in client.get(reverse("oversight:service")).content.decode()
    login(client, hana)
    review(hana, dashboard="head", period="monthly", actions="Ask each team for a plan.")
    head = client.get(reverse("oversight:head")).content.decode()
    assert "by Hana Hughes (monthly review)" in head and "Ask each team for a plan." in head


def test_o1_the_review_form_refuses_another_teams_dashboard_and_bad_input(client, tess, south, north):
    login(client, tess)
    url = reverse("oversight:dashboard_review")
    assert client.post(url, {"dashboard": "team", "team": south.pk, "period": "weekly",
                             "actions": "x"}).status_code == 404
    missing = client.post(url, {"dashboard": "team", "team": north.pk, "period": "weekly", "actions": ""})
    assert missing.status_code == 400
    assert client.post(url, {"dashboard": "service", "period": "weekly", "actions": "x"}).status_code == 403
    assert client.post(url, {"dashboard": "team", "team": north.pk, "period": "weekly", "actions": "x",
                             "next": "https://evil.example/"}).url == reverse("oversight:team")
    assert DashboardReview.objects.count() == 1
