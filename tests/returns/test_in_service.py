"""X2, issue 16 item 2: who is in service on a date (returns.in_service) is what the engine's whole computation says."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from compliance import engine
from compliance.engine import requirements_as_of
from compliance.models import PackRequirement, RequirementCode
from returns.in_service import in_service_on
from tests.factories import ArrangementFactory, ContactFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db

D = dt.date


def engine_says(day: dt.date) -> tuple[set[int], dict[int, dt.date | None]]:
    """Who has a requirement on `day` and, for those owed a pathway plan review, its last one (the engine)."""
    rows = requirements_as_of(day)
    return ({r.young_person_id for r in rows},
            {r.young_person_id: r.last_met for r in rows if r.code == RequirementCode.PATHWAY_REVIEW})


def test_x2_in_service_agrees_with_the_engine_on_a_generated_service():
    # Every circumstance and arrangement, events, E3 streaks, closures, extended support, unallocated referrals.
    call_command("generate_caseload", "--young-people", "80", "--seed", "5", stdout=io.StringIO())
    days = [D(2024, 3, 31), D(2025, 3, 31), D(2025, 9, 14), D(2026, 3, 31), dt.date.today()]
    for day in days:
        expected = engine_says(day)
        assert expected[0], day  # someone is in service, so the comparison says something
        assert in_service_on(day) == expected, day


def _escalation_only(yp):
    """The active pack with only the E3 escalation visit for `yp`'s arrangement and circumstance."""
    PackRequirement.objects.filter(pack__is_active=True, arrangement_kind="reduced_visits",
                                   circumstance=yp.circumstance).exclude(trigger="escalation").delete()


def test_e3_x2_someone_owed_only_an_escalation_visit_is_in_service_once_it_is_due():
    due, not_yet = YoungPersonFactory(ref="YP-DUE"), YoungPersonFactory(ref="YP-NOT-YET")
    for yp, attempts in ((due, 3), (not_yet, 2)):
        ArrangementFactory(young_person=yp, kind="reduced_visits", active_from=D(2025, 10, 1))
        for n in range(attempts):
            ContactFactory(young_person=yp, date=D(2026, 1, 10) + dt.timedelta(days=14 * n), method="phone",
                           outcome="no_response")
    _escalation_only(due)
    day = D(2026, 3, 1)
    assert PackRequirement.objects.filter(pack__is_active=True, arrangement_kind="reduced_visits",
                                          trigger="escalation").exists()
    expected = engine_says(day)
    assert due.pk in expected[0] and not_yet.pk not in expected[0]  # E3: the visit is due on the third
    assert in_service_on(day) == expected


def test_in_service_says_so_when_the_engine_computation_changes_shape(monkeypatch):
    monkeypatch.setattr("returns.in_service.requirements_sql", lambda day, ids=None: "SELECT 1")
    with pytest.raises(RuntimeError, match="requirements_sql"):
        in_service_on(D(2026, 3, 31))
    assert engine.requirements_sql  # the real one is untouched
