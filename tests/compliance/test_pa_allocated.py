"""Issue 11, item 1 (V3): "PA allocated" for a registered young person waiting for a PA; and item 8: a
reopening starts the pattern again. Bundles (allocated, no registration date) never have the row."""

import datetime as dt

import pytest

from careleavers.models import LegalStatus, YoungPerson
from compliance.engine import requirements_as_of
from compliance.models import PolicyPack
from core.dates import birthday
from tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


def referral(**fields):
    values = {"pa": None, "allocated_on": None, "referred_on": TODAY - dt.timedelta(days=3),
              "date_of_birth": birthday(TODAY, -17)} | fields
    return YoungPersonFactory(**values)


def rows(yp, on=TODAY):
    return {r.code: r for r in requirements_as_of(on, [yp.pk])}


def test_v3_unallocated_referral_has_only_pa_allocated_due_after_the_pack_setting():
    yp = referral()
    [(code, row)] = rows(yp).items()
    assert code == "pa_allocated" and row.due == TODAY + dt.timedelta(days=4) and row.status_on(TODAY) == "due_soon"


def test_the_pack_setting_moves_the_due_date():
    PolicyPack.objects.filter(is_active=True).update(allocation_days=20)
    assert rows(referral())["pa_allocated"].due == TODAY + dt.timedelta(days=17)


def test_an_early_referral_is_due_from_the_16th_birthday():
    yp = referral(date_of_birth=birthday(TODAY, -15))
    assert rows(yp)["pa_allocated"].due == yp.birthday_16 + dt.timedelta(days=7)


def test_t9_qualifying_without_a_pa_service_is_owed_no_pa():
    assert rows(referral(legal_status=LegalStatus.QUALIFYING, pa_service=False)) == {}


def test_allocated_records_without_a_registration_date_are_as_before():
    yp = YoungPersonFactory(allocated_on=dt.date(2026, 1, 1), date_of_birth=birthday(TODAY, -18))
    assert "pa_allocated" not in rows(yp) and "visit" in rows(yp)


def test_allocation_after_the_date_leaves_the_row_on_that_date():
    yp = referral()
    YoungPerson.objects.filter(pk=yp.pk).update(allocated_on=TODAY + dt.timedelta(days=2))
    assert set(rows(yp)) == {"pa_allocated"}
    assert "pa_allocated" not in rows(yp, TODAY + dt.timedelta(days=2))


def test_v3_reopening_floors_every_clock_but_not_before_it():
    yp = YoungPersonFactory(allocated_on=dt.date(2022, 1, 1), date_of_birth=birthday(TODAY, -22),
                            extended_support=True, reopened_on=TODAY - dt.timedelta(days=10))
    after = rows(yp)
    assert after["visit"].due == TODAY - dt.timedelta(days=10) + dt.timedelta(days=56)
    assert after["pathway_review"].due == TODAY - dt.timedelta(days=10) + dt.timedelta(days=182)
    before = rows(yp, TODAY - dt.timedelta(days=11))
    assert before["visit"].status_on(TODAY - dt.timedelta(days=11)) == "overdue"
