"""Issue 16: a dashboard's queries share one visibility filter (oversight.selectors.VisiblePeople), compiled once,
which keeps every reader to the young people they may see (careleavers.selectors.young_people_visible_to)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from careleavers.models import Role, YoungPerson
from compliance.models import Requirement
from oversight import selectors
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def _people(user) -> set[int]:
    visible = selectors.VisiblePeople(user)
    return set(Requirement.objects.filter(visible.q()).values_list("young_person_id", flat=True)) | set(
        YoungPerson.objects.filter(visible.q("pk")).values_list("pk", flat=True))


def test_a_team_leader_sees_their_team_only_and_a_service_leader_everyone(service, tess, sol):
    north = {service.a1.pk, service.a2.pk, service.a3.pk, service.b1.pk}
    assert _people(tess.user) == north  # Cat One (South Team) is not among them: the canary
    assert _people(sol.user) == north | {service.c1.pk}
    assert _people(tess.user) == set(YoungPerson.objects.visible_to(tess.user).values_list("pk", flat=True))


def test_the_filter_is_the_visibility_rule_compiled_once_and_nothing_for_the_whole_service(service, tess, sol):
    visible = selectors.VisiblePeople(tess.user)
    with CaptureQueriesContext(connection) as queries:
        list(Requirement.objects.filter(visible.q()))
        list(YoungPerson.objects.filter(visible.q("pk")))
    assert all("UNION" in q["sql"] for q in queries)  # the team's cases and the referrals waiting for a PA
    with CaptureQueriesContext(connection) as queries:
        list(selectors.requirements_visible_to(sol.user))
    assert "careleavers_youngperson" not in queries[0]["sql"]  # everyone: no semi-join with every young person


def test_someone_who_sees_no_one_gets_no_rows(service, north):
    duty = StaffFactory(ref="dora", name="Dora Duty", role=Role.DUTY_ADMIN, team=north)
    assert _people(duty.user) == set()
