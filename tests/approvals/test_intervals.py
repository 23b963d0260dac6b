"""T4 and reg 7: a visit interval other than the pack's is a manager's recorded agreement, never a bare
number (compliance.services.interval_override_set / _clear), and the page managers set it from."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from careleavers.models import CaseNote, IntervalOverride
from compliance import services
from compliance.selectors import pack_intervals_for
from core.errors import InvalidState, NotAllowed, ServiceError
from core.models import AuditEvent, AuditKind
from tests.conftest import login
from tests.factories import ArrangementFactory
from tests.pathway.helpers import count_queries

pytestmark = pytest.mark.django_db


def agree(yp, actor, *, requirement="visit", days=84, reason="Agreed in supervision: settled in supported housing."):
    return services.interval_override_set(young_person=yp, requirement=requirement, interval_days=days, reason=reason,
                                          actor=actor)


def visit_due(yp):
    return yp.requirements.get(code="visit").due


def test_t4_pack_intervals_are_those_of_the_pattern_in_force(jamie):
    assert pack_intervals_for(jamie) == {"visit": 56, "pathway_review": 182}
    ArrangementFactory(young_person=jamie, kind="step_back", active_from=timezone.localdate())
    assert pack_intervals_for(jamie) == {"keeping_in_touch": 91, "pathway_review": 182}


def test_t4_team_leader_agrees_a_longer_interval_with_the_reason_and_it_is_recomputed_at_once(jamie, tess):
    before = visit_due(jamie)
    override = agree(jamie, tess, days=84)
    assert (override.interval_days, override.agreed_by, override.reason) == (
        84, tess, "Agreed in supervision: settled in supported housing.")
    assert visit_due(jamie) == before + dt.timedelta(days=84 - 56)
    audit = AuditEvent.objects.get(kind=AuditKind.INTERVAL_OVERRIDE_SET)
    assert (audit.actor, audit.young_person, audit.data["interval_days"], audit.data["pack_days"]) == (tess, jamie, 84, 56)
    assert CaseNote.objects.filter(young_person=jamie, author=tess, subject__contains="every 84 days").exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_t4_a_longer_interval_is_never_a_bare_number(jamie, tess, reason):
    with pytest.raises(ServiceError, match="reason agreed in supervision") as exc:
        agree(jamie, tess, days=57, reason=reason)
    assert exc.value.field == "reason"
    assert not IntervalOverride.objects.exists()
    assert not AuditEvent.objects.filter(kind=AuditKind.INTERVAL_OVERRIDE_SET).exists()


def test_t4_the_pack_interval_itself_or_a_shorter_one_needs_no_reason(jamie, tess):
    assert agree(jamie, tess, days=56, reason="").interval_days == 56
    assert agree(jamie, tess, days=28, reason="").interval_days == 28  # V1: more often as needs require
    assert IntervalOverride.objects.get().agreed_by == tess


def test_reg_7_pathway_review_182_days_is_allowed_183_is_refused(jamie, sol):
    assert agree(jamie, sol, requirement="pathway_review", days=182, reason="").interval_days == 182
    with pytest.raises(ServiceError, match="reg 7") as exc:
        agree(jamie, sol, requirement="pathway_review", days=183)
    assert exc.value.field == "interval_days"
    assert IntervalOverride.objects.get().interval_days == 182


def test_t4_an_interval_that_does_not_apply_now_is_refused(jamie, tess):
    with pytest.raises(ServiceError, match="current contact pattern") as exc:
        agree(jamie, tess, requirement="keeping_in_touch", days=60)
    assert exc.value.field == "requirement"


@pytest.mark.parametrize("days", [0, -3])
def test_t4_an_interval_is_at_least_one_day(jamie, tess, days):
    with pytest.raises(ServiceError) as exc:
        agree(jamie, tess, days=days)
    assert exc.value.field == "interval_days"


@pytest.mark.parametrize(("who", "message"), [
    ("alice", "Only a Team Leader or a Service Leader agrees a visit interval."),
    ("hana", "Only a Team Leader or a Service Leader agrees a visit interval."),
    ("trent", "A Team Leader decides only for young people in their own team."),
])
def test_t4_only_the_teams_leader_or_a_service_leader_agrees(jamie, alice, trent, hana, who, message):
    actor = {"alice": alice, "trent": trent, "hana": hana}[who]
    with pytest.raises(NotAllowed) as exc:
        agree(jamie, actor)
    assert str(exc.value) == message


def test_t4_changing_an_agreed_interval_keeps_one_row_and_its_history(jamie, tess, sol):
    agree(jamie, tess, days=84)
    agree(jamie, sol, days=70, reason="Reviewed in supervision.")
    override = IntervalOverride.objects.get()
    assert (override.interval_days, override.agreed_by) == (70, sol)
    assert override.history.count() == 2
    assert AuditEvent.objects.filter(kind=AuditKind.INTERVAL_OVERRIDE_SET).first().data["previous"] == 84


def test_t4_clearing_returns_the_pack_interval_at_once(jamie, tess):
    before = visit_due(jamie)
    agree(jamie, tess, days=84)
    with pytest.raises(ServiceError):
        services.interval_override_clear(young_person=jamie, requirement="visit", reason="", actor=tess)
    services.interval_override_clear(young_person=jamie, requirement="visit", reason="Back to the policy.", actor=tess)
    assert not IntervalOverride.objects.exists()
    assert visit_due(jamie) == before
    assert AuditEvent.objects.get(kind=AuditKind.INTERVAL_OVERRIDE_CLEARED).data["interval_days"] == 84
    with pytest.raises(InvalidState):
        services.interval_override_clear(young_person=jamie, requirement="visit", reason="again", actor=tess)


# --- the page --------------------------------------------------------------------------------------

def test_t4_manager_sets_a_longer_interval_on_the_page_and_must_give_the_reason(client, jamie, tess):
    login(client, tess)
    url = reverse("approvals:intervals", args=[jamie.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Visit (policy: every 56 days)" in page.content.decode()
    refused = client.post(url, {"requirement": "visit", "interval_days": "84", "reason": ""})
    assert refused.status_code == 400
    assert "reason agreed in supervision." in refused.content.decode() and "(T4)" not in refused.content.decode()
    assert not IntervalOverride.objects.exists()
    response = client.post(url, {"requirement": "visit", "interval_days": "84", "reason": "Agreed in supervision."})
    assert response.status_code == 302
    assert IntervalOverride.objects.get().agreed_by == tess
    assert "every 84 days" in client.get(url).content.decode()


def test_reg_7_the_page_refuses_a_review_past_182_days(client, jamie, tess):
    login(client, tess)
    response = client.post(reverse("approvals:intervals", args=[jamie.pk]),
                           {"requirement": "pathway_review", "interval_days": "183", "reason": "Asked for it."})
    assert response.status_code == 400
    assert "reg 7" in response.content.decode()
    assert not IntervalOverride.objects.exists()


def test_t4_manager_clears_an_interval_on_the_page(client, jamie, tess):
    agree(jamie, tess)
    login(client, tess)
    response = client.post(reverse("approvals:interval_clear", args=[jamie.pk]),
                           {"requirement": "visit", "reason": "No longer needed."})
    assert response.status_code == 302
    assert not IntervalOverride.objects.exists()


def test_t4_the_page_is_403_for_the_pa_and_404_for_another_team(client, jamie, alice, trent):
    url = reverse("approvals:intervals", args=[jamie.pk])
    login(client, alice)
    assert client.get(url).status_code == 403
    assert client.post(reverse("approvals:interval_clear", args=[jamie.pk]), {"requirement": "visit",
                                                                               "reason": "x"}).status_code == 403
    login(client, trent)
    assert client.get(url).status_code == 404


def test_t4_the_panel_shows_agreed_intervals_to_managers_only(client, jamie, alice, tess):
    agree(jamie, tess, days=84)
    login(client, tess)
    page = client.get(reverse("young_person", args=[jamie.pk])).content.decode()
    assert 'id="panel-intervals"' in page
    assert "Visit: every 84 days, agreed by Tess Turner" in page
    login(client, alice)
    assert 'id="panel-intervals"' not in client.get(reverse("young_person", args=[jamie.pk])).content.decode()


def test_t4_the_panel_costs_the_same_with_1_and_5_agreed_intervals(client, jamie, tess, sol):
    agree(jamie, tess, requirement="pathway_review", days=150, reason="")
    login(client, tess)
    url = reverse("young_person", args=[jamie.pk])
    one = count_queries(lambda: client.get(url))
    for code in ("contact", "keeping_in_touch", "lead_worker_contact", "family_contact"):
        IntervalOverride.objects.create(young_person=jamie, requirement=code, interval_days=30, agreed_by=sol)
    assert count_queries(lambda: client.get(url)) == one
