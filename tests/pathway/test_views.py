"""Pathway plan pages: permissions (404 for others), forms, the TL's queue and the panel."""

import pytest
from django.urls import reverse

from pathway import services
from pathway.models import PathwayPlan, PlanState
from tests.conftest import login

from .helpers import READY, READY_POST, count_queries, make_young_person, visited

pytestmark = pytest.mark.django_db

CONTENT = {**READY_POST, "young_persons_voice": "I want to go to college."}


def submitted(yp, pa):
    """A plan waiting for sign-off, with the visit before the review made today (reg 8(2)(b))."""
    visited(yp)
    plan = services.plan_start(young_person=yp, actor=pa)
    services.plan_update(plan=plan, actor=pa, content={**READY, "young_persons_voice": "I want to go to college."})
    return services.plan_submit(plan=plan, actor=pa)


def test_p3_pa_starts_saves_and_submits_through_the_pages(client, jamie, alice, tess):
    login(client, alice)
    response = client.post(reverse("pathway:start", args=[jamie.pk]))
    plan = PathwayPlan.objects.get(young_person=jamie)
    assert response.url == reverse("pathway:edit", args=[plan.pk])
    assert client.get(response.url).status_code == 200
    response = client.post(reverse("pathway:edit", args=[plan.pk]), {**CONTENT, "save": ""})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.state, plan.young_persons_voice) == (PlanState.DRAFT, "I want to go to college.")
    client.post(reverse("pathway:edit", args=[plan.pk]), {**CONTENT, "submit": ""})
    plan.refresh_from_db()
    assert plan.state == PlanState.SUBMITTED


def test_p5_submit_without_voice_shows_error_and_stays_draft(client, jamie, alice):
    login(client, alice)
    plan = services.plan_start(young_person=jamie, actor=alice)
    response = client.post(reverse("pathway:edit", args=[plan.pk]), {"contact_arrangements": "x", "submit": ""})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT


def test_p3_team_leader_returns_and_signs_off_through_the_pages(client, jamie, alice, tess):
    plan = submitted(jamie, alice)
    login(client, tess)
    page = client.get(reverse("pathway:detail", args=[plan.pk])).content.decode()
    assert "Sign off" in page
    assert "Return with comments" in page
    assert client.post(reverse("pathway:return", args=[plan.pk]), {"comments": ""}).status_code == 400
    client.post(reverse("pathway:return", args=[plan.pk]), {"comments": "Say more about money."})
    plan.refresh_from_db()
    assert plan.state == PlanState.RETURNED
    services.plan_submit(plan=plan, actor=alice)
    client.post(reverse("pathway:sign_off", args=[plan.pk]), {"comments": ""})
    plan.refresh_from_db()
    assert plan.state == PlanState.SIGNED_OFF


def test_p3_other_teams_leader_gets_404_for_the_plan(client, jamie, alice, trent):
    plan = submitted(jamie, alice)
    login(client, trent)
    assert client.get(reverse("pathway:detail", args=[plan.pk])).status_code == 404
    assert client.post(reverse("pathway:sign_off", args=[plan.pk])).status_code == 404
    assert client.post(reverse("pathway:start", args=[jamie.pk])).status_code == 404


def test_p3_signed_off_plan_edit_page_redirects_to_read_only_view(client, jamie, alice, tess):
    plan = services.plan_sign_off(plan=submitted(jamie, alice), actor=tess)
    login(client, alice)
    response = client.get(reverse("pathway:edit", args=[plan.pk]))
    assert response.url == reverse("pathway:detail", args=[plan.pk])
    client.post(reverse("pathway:edit", args=[plan.pk]), {**CONTENT, "young_persons_voice": "changed", "save": ""})
    plan.refresh_from_db()
    assert plan.young_persons_voice == CONTENT["young_persons_voice"]


def test_p4_shared_date_recorded_from_the_page(client, jamie, alice):
    plan = services.plan_start(young_person=jamie, actor=alice)
    login(client, alice)
    assert client.post(reverse("pathway:shared", args=[plan.pk]), {"shared_on": "2999-01-01"}).status_code == 400
    client.post(reverse("pathway:shared", args=[plan.pk]), {"shared_on": "2026-01-02", "how": "email"})
    plan.refresh_from_db()
    assert plan.shared_with_young_person_on.isoformat() == "2026-01-02"
    assert plan.shared_how == "email"  # issue 13, item 4: how, as well as when


def test_p2_queue_shows_own_team_submitted_plans_with_late_flag(client, alice, charlie, tess):
    late = make_young_person(alice, allocated_days_ago=172, name="Late Person")
    on_time = make_young_person(alice, name="Timely Person")
    other_team = make_young_person(charlie, name="Southern Person")
    for yp, pa in ((late, alice), (on_time, alice), (other_team, charlie)):
        submitted(yp, pa)
    login(client, tess)
    page = client.get(reverse("pathway:queue")).content.decode()
    assert "Late Person" in page
    assert "Timely Person" in page
    assert "Southern Person" not in page
    assert page.count(">Late<") == 1


def test_p2_queue_query_count_is_the_same_for_5_and_50(client, alice, tess, django_assert_num_queries):
    login(client, tess)
    for _ in range(5):
        submitted(make_young_person(alice), alice)
    url = reverse("pathway:queue")
    five = count_queries(lambda: client.get(url))
    for _ in range(45):
        submitted(make_young_person(alice), alice)
    # session / user / staff / count / plans with young person, PA and team
    with django_assert_num_queries(five):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 50


def test_panel_query_count_does_not_grow_with_versions(client, jamie, alice, tess):
    login(client, alice)
    url = reverse("young_person", args=[jamie.pk])
    services.plan_sign_off(plan=submitted(jamie, alice), actor=tess)
    one = count_queries(lambda: client.get(url))
    for _ in range(4):  # the same day: no visit since the previous review, so the Team Leader says why (reg 8(2)(b))
        services.plan_sign_off(plan=submitted(jamie, alice), actor=tess, no_visit_reason="Reviewed again the same day.")
    services.plan_start(young_person=jamie, actor=alice)
    assert count_queries(lambda: client.get(url)) == one
    page = client.get(url).content.decode()
    assert "All versions (6)" in page
    assert "Start the next plan review" not in page  # v6 is open


# --- one refusal, once; 403 for an action on a plan you can see ------------------------------------

def test_p5_submit_refusal_is_shown_once(client, jamie, alice):
    login(client, alice)
    plan = services.plan_start(young_person=jamie, actor=alice)
    page = client.post(reverse("pathway:edit", args=[plan.pk]), {"contact_arrangements": "x", "submit": ""}).content.decode()
    assert page.count("Write these sections before submitting") == 1


def test_p3_state_refusal_on_the_plan_page_is_shown_once(client, jamie, alice, tess):
    plan = services.plan_sign_off(plan=submitted(jamie, alice), actor=tess)
    login(client, tess)
    response = client.post(reverse("pathway:return", args=[plan.pk]), {"comments": "Too late"})
    assert response.status_code == 400
    assert response.content.decode().count("so it cannot be returned.") == 1


def test_p3_action_on_a_visible_plan_the_person_may_not_take_is_403(client, jamie, alice, tess):
    plan = submitted(jamie, alice)
    login(client, alice)
    assert client.post(reverse("pathway:sign_off", args=[plan.pk]), {"comments": ""}).status_code == 403
    login(client, tess)
    assert client.post(reverse("pathway:start", args=[jamie.pk])).status_code == 403
    plan.refresh_from_db()
    assert plan.state == PlanState.SUBMITTED


def test_p3_plan_page_offers_what_the_table_allows(client, jamie, alice, tess):
    plan = submitted(jamie, alice)
    url = reverse("pathway:detail", args=[plan.pk])
    login(client, alice)
    page = client.get(url).content.decode()
    assert "Record date shared" in page
    assert ">Sign off</button>" not in page
    assert "Edit this plan" not in page
    login(client, tess)
    page = client.get(url).content.decode()
    assert ">Sign off</button>" in page
    assert "Return with comments" in page
    assert "Record date shared" not in page


#: The panel's loop over its plans before issue 16 wrote the "All versions" items in one pass (pathway.panels).
_VERSIONS_LOOP = (
    """{% for p in plans %}\n      <li>{% if p.imported %}v{{ p.version }}{% else %}"""
    """<a href="{% url 'pathway:detail' p.pk %}">v{{ p.version }}</a>{% endif %}\n"""
    """        · {{ p.get_kind_display }} · {{ p.get_state_display }}{% if p.review_date %} · reviewed """
    """{{ p.review_date|date:"j M Y" }}{% endif %}{% if p.imported %} (imported){% endif %}</li>\n      {% endfor %}""")


def test_the_panels_versions_are_the_items_its_loop_wrote(client, jamie, alice, tess):
    import datetime as dt

    from django.template import engines

    from pathway.panels import versions_html
    from pathway.selectors import plans_of
    services.plan_sign_off(plan=submitted(jamie, alice), actor=tess)
    services.plan_start(young_person=jamie, actor=alice)
    PathwayPlan.objects.filter(young_person=jamie, version=1).update(imported=True, review_date=dt.date(2026, 3, 1))
    plans = plans_of(jamie)
    old = engines["django"].from_string(_VERSIONS_LOOP).render({"plans": plans})
    assert versions_html(plans) == old
    assert "(imported)" in old and "reviewed 1 Mar 2026" in old and 'href="/' in old
