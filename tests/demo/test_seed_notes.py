"""demo.seed_notes (issue 12, items 1-3): notes (one restricted, one corrected), a supervision session with an
interval agreed in it (T4), a dashboard review and an answer to an overdue update, through the services."""

import pytest
from django.utils import timezone

from careleavers.models import CaseNote, IntervalOverride, SupervisionSession, YoungPerson
from demo.seed_notes import seed
from oversight.models import DashboardReview, OverdueAnswer
from tests.pathway.helpers import make_young_person

pytestmark = pytest.mark.django_db


def test_seed_notes_fills_items_1_to_3(alice, tess, sol):
    for name in ("Jamie Doe", "Kim Lee", "Lee Park"):
        make_young_person(alice, name=name)
    counts = seed(today=timezone.localdate(), staff_by_role_and_team={("pa", "north"): [alice], ("team_leader", "north"): [tess],
                                                          ("service_leader", None): [sol]},
                  young_people=list(YoungPerson.objects.all()))
    assert counts == {"case notes written": 6, "supervision sessions": 1, "dashboard reviews": 1, "overdue answers": 1}
    assert CaseNote.objects.filter(restricted=True, version=1).count() == 2
    assert CaseNote.objects.filter(version=2).count() == 2
    session = SupervisionSession.objects.get()
    assert session.notes.count() == 3
    assert IntervalOverride.objects.get().supervision_note.supervision == session
    assert DashboardReview.objects.get().reviewer == tess
    assert OverdueAnswer.objects.get().author == tess
