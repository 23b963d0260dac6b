"""Issue 14, item 2: nobody who wrote any part of a plan version signs it off (P3), whatever their role when
they wrote it or when they would sign it off. Who wrote it is recorded (PathwayPlan.editors) and read with
who started and who submitted it (PathwayPlan.writer_ids). The roles change between the steps."""

import datetime as dt
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone

from careleavers.models import Cover, Role
from core.errors import NotAllowed
from pathway import services
from pathway.models import PathwayPlan, PlanState
from pathway.transitions import PLAN_TRANSITIONS
from tests.conftest import login
from tests.factories import StaffFactory

from .helpers import READY, visited

pytestmark = pytest.mark.django_db

CONTENT = READY


@pytest.fixture
def cover_pa(north, jamie):
    """Another North PA covering jamie today (a cover case)."""
    pat = StaffFactory(ref="pat", name="Pat Price", role=Role.PA, team=north)
    today = timezone.localdate()
    Cover.objects.create(young_person=jamie, pa=pat, start=today - dt.timedelta(days=7), end=today + dt.timedelta(days=7))
    return pat


def make_team_leader(staff, team):
    staff.role, staff.team = Role.TEAM_LEADER, team
    staff.save()
    return staff


def test_p3_cover_pa_who_edited_then_made_team_leader_cannot_sign_off(jamie, alice, tess, cover_pa, north):
    visited(jamie)
    plan = services.plan_start(young_person=jamie, actor=alice)
    services.plan_update(plan=plan, actor=cover_pa, content={**CONTENT, "health": "Registered with a GP."})
    services.plan_submit(plan=plan, actor=alice)
    make_team_leader(cover_pa, north)
    plan.refresh_from_db()
    with pytest.raises(NotAllowed, match="wrote or submitted"):
        services.plan_sign_off(plan=plan, actor=cover_pa)
    with pytest.raises(NotAllowed, match="wrote or submitted"):
        services.plan_return(plan=plan, actor=cover_pa, comments="More on money")
    assert PLAN_TRANSITIONS.allowed(plan, cover_pa.user) == set()
    # The team's other Team Leader, who wrote none of it, signs it off.
    services.plan_sign_off(plan=plan, actor=tess)
    plan.refresh_from_db()
    assert plan.state == PlanState.SIGNED_OFF


def test_p3_cover_pa_made_team_leader_is_refused_on_the_page(client, jamie, alice, cover_pa, north):
    visited(jamie)
    plan = services.plan_start(young_person=jamie, actor=alice)
    services.plan_update(plan=plan, actor=cover_pa, content=CONTENT)
    services.plan_submit(plan=plan, actor=alice)
    make_team_leader(cover_pa, north)
    login(client, cover_pa)
    assert client.post(reverse("pathway:sign_off", args=[plan.pk]), {"comments": "Fine"}).status_code == 403
    plan.refresh_from_db()
    assert plan.state == PlanState.SUBMITTED


def test_p3_cover_pa_who_only_opened_the_draft_did_not_write_it(jamie, alice, tess, cover_pa, north):
    """Saving without changing a section writes nothing: that PA is no writer of this version."""
    visited(jamie)
    plan = services.plan_start(young_person=jamie, actor=alice)
    services.plan_update(plan=plan, actor=alice, content=CONTENT)
    services.plan_update(plan=plan, actor=cover_pa, content=CONTENT)
    services.plan_submit(plan=plan, actor=alice)
    assert cover_pa.pk not in plan.writer_ids
    make_team_leader(cover_pa, north)
    plan.refresh_from_db()
    services.plan_sign_off(plan=plan, actor=cover_pa)


def test_p3_pa_who_started_the_plan_then_made_team_leader_cannot_sign_off(jamie, alice, north):
    visited(jamie)
    plan = services.plan_start(young_person=jamie, actor=alice)
    services.plan_update(plan=plan, actor=alice, content=CONTENT)
    services.plan_submit(plan=plan, actor=alice)
    make_team_leader(alice, north)
    plan.refresh_from_db()
    with pytest.raises(NotAllowed, match="wrote or submitted"):
        services.plan_sign_off(plan=plan, actor=alice)


def test_p3_pa_who_edited_an_earlier_round_then_made_team_leader_cannot_sign_off(jamie, alice, tess, cover_pa, north):
    """Returned and resubmitted: an edit in the first round still makes that person a writer of the version."""
    visited(jamie)
    plan = services.plan_start(young_person=jamie, actor=alice)
    services.plan_update(plan=plan, actor=cover_pa, content=CONTENT)
    services.plan_submit(plan=plan, actor=alice)
    services.plan_return(plan=plan, actor=tess, comments="Say more about money")
    services.plan_update(plan=plan, actor=alice, content={**CONTENT, "money": "Budgeting course booked."})
    services.plan_submit(plan=plan, actor=alice)
    make_team_leader(cover_pa, north)
    plan.refresh_from_db()
    with pytest.raises(NotAllowed, match="wrote or submitted"):
        services.plan_sign_off(plan=plan, actor=cover_pa)


def test_p3_team_leader_who_returned_the_plan_still_signs_it_off(jamie, alice, tess):
    """Returning with comments is not writing: the plan's history names the Team Leader, its editors do not."""
    visited(jamie)
    plan = services.plan_start(young_person=jamie, actor=alice)
    services.plan_update(plan=plan, actor=alice, content=CONTENT)
    services.plan_submit(plan=plan, actor=alice)
    services.plan_return(plan=plan, actor=tess, comments="Say more about money")
    services.plan_update(plan=plan, actor=alice, content={**CONTENT, "money": "Budgeting course booked."})
    services.plan_submit(plan=plan, actor=alice)
    plan.refresh_from_db()
    assert plan.writer_ids == {alice.pk}
    services.plan_sign_off(plan=plan, actor=tess)


def test_p3_editors_are_recorded(jamie, alice, cover_pa):
    plan = services.plan_start(young_person=jamie, actor=alice)
    services.plan_update(plan=plan, actor=cover_pa, content=CONTENT)
    assert set(plan.editors.all()) == {alice, cover_pa}


def test_p3_plans_written_before_editors_were_recorded_get_them_from_history(jamie, alice, tess, cover_pa):
    """The migration reads each version that changed a section, by whoever saved it (history_user)."""
    plan = PathwayPlan.objects.create(young_person=jamie, version=1, created_by=alice)
    for staff, section in ((cover_pa, "health"), (tess, None), (alice, "money")):
        if section:
            setattr(plan, section, f"Written by {staff.name}")
        else:
            plan.state = PlanState.RETURNED  # the Team Leader's save changes no section
        plan._history_user = staff.user  # noqa: SLF001  (simple_history's documented way to name who saved)
        plan.save()
    plan.editors.clear()
    import_module("pathway.migrations.0004_plan_editors").editors_from_history(django_apps, None)
    assert set(plan.editors.all()) == {alice, cover_pa}
