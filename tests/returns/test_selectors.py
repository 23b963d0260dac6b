"""X1: the "birthday check due" flag, computed in SQL in one query, agrees with the date arithmetic."""

import datetime as dt
import random

import pytest
from django.db import connection

from careleavers.models import LegalStatus, YoungPerson
from contacts.models import InTouchCheck
from returns.selectors import annotate_birthday_check_due, birthday_checks_due_among, birthday_checks_for
from returns.windows import checks_wanted
from tests.factories import YoungPersonFactory

D = dt.date


def make_people(dobs):
    people = []
    for i, dob in enumerate(dobs):
        yp = YoungPerson(ref=f"YP-{i:05d}", name=f"Person {i}", date_of_birth=dob, legal_status=LegalStatus.FORMER_RELEVANT,
                         allocated_on=D(2020, 1, 1))
        yp.set_birthdays()
        people.append(yp)
    return YoungPerson.objects.bulk_create(people)


def flagged(today):
    return set(annotate_birthday_check_due(YoungPerson.objects.all(), today)
               .filter(birthday_check_due=True).values_list("ref", flat=True))


@pytest.mark.django_db
def test_x1_birthday_check_due_in_sql_matches_the_date_arithmetic():
    rng = random.Random(20250401)
    today = D(2025, 3, 31)
    # Everyone born in a stretch covering the 17th-21st birthday windows around today, month ends and
    # 29 February included; each with a few checks near their birthdays.
    dobs = [D(2003, 9, 1) + dt.timedelta(days=n) for n in range(0, 8 * 366, 3)]
    dobs += [D(2004, 2, 29), D(2008, 2, 29), D(2005, 5, 31), D(2006, 7, 31), D(2007, 6, 30)]
    people = make_people(dobs)
    checks, expected_by_today = [], {}
    for yp in people:
        for _ in range(rng.randint(0, 2)):
            day = today + dt.timedelta(days=rng.randint(-200, 60))
            if not any(c.young_person_id == yp.pk and c.date == day for c in checks):
                checks.append(InTouchCheck(young_person=yp, date=day, in_touch="YES", activity="F2", accommodation="U1"))
    InTouchCheck.objects.bulk_create(checks)
    dates = {}
    for c in checks:
        dates.setdefault(c.young_person_id, []).append(c.date)
    for day in (today, D(2025, 2, 28), D(2025, 5, 31), D(2024, 12, 1)):
        expected_by_today[day] = {yp.ref for yp in people if checks_wanted(yp.date_of_birth, dates.get(yp.pk, []), day)}
        assert expected_by_today[day], "the sample should flag someone"
        assert flagged(day) == expected_by_today[day], day


@pytest.mark.django_db
def test_x1_birthday_check_due_until_a_check_is_recorded_in_the_window():
    yp = YoungPersonFactory(date_of_birth=D(2007, 6, 15))
    assert flagged(D(2025, 3, 14)) == set()
    assert flagged(D(2025, 3, 15)) == {yp.ref}
    assert flagged(D(2025, 7, 15)) == {yp.ref}
    assert flagged(D(2025, 7, 16)) == set()
    InTouchCheck.objects.create(young_person=yp, date=D(2024, 6, 20), in_touch="YES", activity="F2", accommodation="U1")
    assert flagged(D(2025, 6, 1)) == {yp.ref}, "last year's check does not count"
    InTouchCheck.objects.create(young_person=yp, date=D(2025, 3, 15), in_touch="YES", activity="F2", accommodation="U1")
    assert flagged(D(2025, 6, 1)) == set()


@pytest.mark.django_db
def test_x1_birthday_check_not_due_for_a_closed_case_nor_before_17_or_after_21():
    closed = YoungPersonFactory(date_of_birth=D(2007, 6, 15), closed_on=D(2025, 1, 1))
    young = YoungPersonFactory(date_of_birth=D(2009, 6, 15))   # 16 on 15 Jun 2025
    older = YoungPersonFactory(date_of_birth=D(2003, 6, 15))   # 22
    assert {closed.ref, young.ref, older.ref} & flagged(D(2025, 6, 1)) == set()


@pytest.mark.django_db
def test_x1_annotation_adds_no_query(django_assert_num_queries):
    make_people([D(2007, 6, 15) + dt.timedelta(days=n) for n in range(0, 150, 5)])
    with django_assert_num_queries(1):
        people = list(annotate_birthday_check_due(YoungPerson.objects.all(), D(2025, 6, 1)))
    assert any(p.birthday_check_due for p in people) and not all(p.birthday_check_due for p in people)


@pytest.mark.django_db
def test_x1_panel_data_lists_open_windows_in_one_query(django_assert_num_queries):
    yp = YoungPersonFactory(date_of_birth=D(2007, 6, 15))
    with django_assert_num_queries(1):
        data = birthday_checks_for(yp, today=D(2025, 6, 1))
    assert [w.age for w in data["wanted"]] == [18] and data["checks"] == []


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="queries are prepared once per process on PostgreSQL only")
def test_x1_a_pages_checks_are_read_by_a_query_compiled_once_with_the_same_answer(monkeypatch,
                                                                                 django_assert_num_queries):
    """Issue 16: the in-touch checks of a caseload page's people come from a query prepared once per process
    (core.prepared): after the first page no queryset is built, and the badge is the date arithmetic's (X1)."""
    today = D(2025, 6, 1)
    people = make_people([D(2007, 6, 15), D(2007, 5, 20), D(2006, 6, 1), D(2000, 1, 1)])
    InTouchCheck.objects.create(young_person=people[1], date=D(2025, 4, 1), in_touch="YES", activity="F2",
                                accommodation="U1")
    assert birthday_checks_due_among(people[:1], today=today) == {people[0].pk}  # compiled here
    monkeypatch.setattr("returns.selectors.InTouchCheck", None)  # no queryset can be built from here on
    with django_assert_num_queries(1):
        assert birthday_checks_due_among(people, today=today) == {people[0].pk, people[2].pk}
