"""Issue 13: the demo data for plans is built through the services."""

import pytest
from django.utils import timezone

from approvals.models import ArrangementState
from demo.seed_plans import seed
from pathway.models import PlanState

from .helpers import make_young_person

pytestmark = pytest.mark.django_db


def test_seed_plans_makes_a_structured_plan_and_a_request_on_a_plan(alice, tess, sol):
    people = [make_young_person(alice, age=19), make_young_person(alice, age=20), make_young_person(alice, age=17)]
    counts = seed(today=timezone.localdate(), young_people=people)
    assert counts == {"structured signed-off plans": 1, "reduced-visits requests on a plan": 1}
    signed = people[0].plans.get()
    assert signed.state == PlanState.SIGNED_OFF and signed.actions.count() == 3
    waiting = people[1].plans.get()
    assert waiting.state == PlanState.SUBMITTED and waiting.arrangement.state == ArrangementState.REQUESTED
