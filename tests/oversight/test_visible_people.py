"""Issue 16: the dashboards' queries take the visibility rule of core.rules (young_people_seen_as, its visibility
compiled once per process) as one filter (oversight.selectors.seen), which keeps every reader to the young people
they may see (careleavers.selectors.young_people_visible_to); a query of one team's cases takes none when the reader
sees that whole team (core.rules.sees_whole_team)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from careleavers.models import Role, YoungPerson
from compliance.models import Requirement
from core.rules import sees_whole_team, visibility_of
from oversight import selectors
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def _people(user) -> set[int]:
    visibility, today = visibility_of(user), timezone.localdate()
    return set(Requirement.objects.filter(selectors.seen(visibility, today=today)).values_list(
        "young_person_id", flat=True)) | set(YoungPerson.objects.filter(
            selectors.seen(visibility, today=today, field="pk")).values_list("pk", flat=True))


def _visible(user) -> set[int]:
    return set(YoungPerson.objects.visible_to(user).values_list("pk", flat=True))


def test_a_team_leader_sees_their_team_only_and_a_service_leader_everyone(service, tess, sol):
    north = {service.a1.pk, service.a2.pk, service.a3.pk, service.b1.pk}
    assert _people(tess.user) == north  # Cat One (South Team) is not among them: the canary
    assert _people(sol.user) == north | {service.c1.pk}
    assert _people(tess.user) == _visible(tess.user)


def test_the_filter_is_the_visibility_rule_and_nothing_for_the_whole_service(service, tess, sol):
    today = timezone.localdate()
    with CaptureQueriesContext(connection) as queries:
        list(Requirement.objects.filter(selectors.seen(visibility_of(tess.user), today=today)))
    assert "UNION" in queries[0]["sql"]  # the team's cases and the referrals waiting for a PA
    with CaptureQueriesContext(connection) as queries:
        list(selectors.requirements_visible_to(sol.user))
    assert "careleavers_youngperson" not in queries[0]["sql"]  # everyone: no semi-join with every young person


def test_someone_who_sees_no_one_gets_no_rows(service, north):
    duty = StaffFactory(ref="dora", name="Dora Duty", role=Role.DUTY_ADMIN, team=north)
    assert _people(duty.user) == set()


@pytest.mark.parametrize("persona", ["alice", "tess", "trent", "sol", "hana"])
def test_sees_whole_team_exactly_when_every_case_of_the_team_is_visible(request, service, north, south, persona):
    """core.rules.sees_whole_team against the rule itself: a team's PAs' cases all visible, for each team."""
    user = request.getfixturevalue(persona).user
    for team in (north, south):
        cases = set(YoungPerson.objects.filter(pa__team=team).values_list("pk", flat=True))
        assert cases  # both teams have cases, so a wrong answer shows
        assert sees_whole_team(visibility_of(user), team_id=team.pk) == (cases <= _visible(user))


def test_a_team_query_has_no_visibility_filter_only_for_who_sees_the_whole_team(service, north, south, tess):
    today, visibility = timezone.localdate(), visibility_of(tess.user)
    assert not selectors.seen_in_team(visibility, team_id=north.pk, today=today)  # Q(): no filter
    other = Requirement.objects.filter(selectors.seen_in_team(visibility, team_id=south.pk, today=today),
                                       young_person__pa__team=south)
    assert not other.exists()  # South's cases stay out of Tess's reads whatever asks for them
