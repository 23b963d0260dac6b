"""X1 birthday windows: 3 months before to 1 month after, closest check, 29 February."""

import datetime as dt
from types import SimpleNamespace

import pytest

from returns.windows import birthday_in_year, checks_wanted, closest_check, collection_year, window_for

D = dt.date


def check(day):
    return SimpleNamespace(date=day)


def test_x1_window_is_3_months_before_to_1_month_after_the_birthday():
    window = window_for(D(2007, 6, 15), 18)
    assert (window.birthday, window.opens, window.closes) == (D(2025, 6, 15), D(2025, 3, 15), D(2025, 7, 15))


def test_x1_window_of_a_29_february_birthday_in_a_common_year_is_around_1_march():
    window = window_for(D(2008, 2, 29), 17)
    assert (window.birthday, window.opens, window.closes) == (D(2025, 3, 1), D(2024, 12, 1), D(2025, 4, 1))
    leap = window_for(D(2008, 2, 29), 20)
    assert (leap.birthday, leap.opens, leap.closes) == (D(2028, 2, 29), D(2027, 11, 29), D(2028, 3, 29))


def test_x1_window_uses_the_last_day_of_a_shorter_month():
    window = window_for(D(2006, 5, 31), 19)  # 31 May: 3 months before is 28 Feb, 1 month after 30 June
    assert (window.opens, window.closes) == (D(2025, 2, 28), D(2025, 6, 30))


def test_x1_closest_check_to_the_birthday_wins():
    window = window_for(D(2007, 6, 15), 18)
    chosen = closest_check(window, [check(D(2025, 4, 1)), check(D(2025, 6, 20)), check(D(2025, 7, 10))])
    assert chosen.date == D(2025, 6, 20)


def test_x1_checks_outside_the_window_are_ignored():
    window = window_for(D(2007, 6, 15), 18)
    assert closest_check(window, [check(D(2025, 3, 14)), check(D(2025, 7, 16))]) is None
    # The edges themselves count.
    assert closest_check(window, [check(D(2025, 3, 15))]).date == D(2025, 3, 15)
    assert closest_check(window, [check(D(2025, 7, 15)), check(D(2024, 6, 15))]).date == D(2025, 7, 15)


def test_x1_no_check_recorded_gives_none():
    assert closest_check(window_for(D(2007, 6, 15), 18), []) is None


def test_x1_equally_close_checks_take_the_later_one():
    window = window_for(D(2007, 6, 15), 18)
    assert closest_check(window, [check(D(2025, 6, 10)), check(D(2025, 6, 20))]).date == D(2025, 6, 20)


@pytest.mark.parametrize(("dob", "age"), [
    (D(2008, 4, 1), 17),   # birthday on 1 April: first day of the year
    (D(2004, 3, 31), 22),  # 31 March: last day
    (D(2008, 2, 29), 17),  # birthday 1 March 2025, in the 2024 year
])
def test_x1_birthday_in_collection_year_includes_its_first_and_last_day(dob, age):
    year = 2025 if dob.month >= 4 or (dob.month == 3 and dob.day == 31) else 2024
    window = birthday_in_year(dob, year, (17, 18, 19, 20, 21, 22, 23, 24, 25))
    start, end = collection_year(year)
    assert window is not None and window.age == age and start <= window.birthday <= end


def test_x1_check_wanted_while_the_window_is_open_until_recorded():
    dob = D(2007, 6, 15)  # 18 on 15 Jun 2025
    assert checks_wanted(dob, [], D(2025, 3, 14)) == []
    assert [w.age for w in checks_wanted(dob, [], D(2025, 3, 15))] == [18]
    assert [w.age for w in checks_wanted(dob, [], D(2025, 7, 15))] == [18]
    assert checks_wanted(dob, [], D(2025, 7, 16)) == []
    assert checks_wanted(dob, [D(2025, 5, 1)], D(2025, 6, 1)) == []
    # A check for last year's birthday does not count for this one.
    assert [w.age for w in checks_wanted(dob, [D(2024, 6, 15)], D(2025, 6, 1))] == [18]


def test_x1_checks_wanted_gives_every_open_window_as_trying_every_age_does():
    """Issue 16: checks_wanted works out only the windows of birthdays near today; the windows open today (29 February
    and the turn of the year among them) are exactly those of every age tried."""
    dobs = [D(2004, 2, 29), D(2005, 1, 1), D(2006, 12, 31), D(2007, 11, 30), D(2003, 3, 31), D(2008, 6, 15)]
    days = [D(2024, 1, 1) + dt.timedelta(days=n) for n in range(0, 1500, 3)]
    found = 0
    for dob in dobs:
        for today in days:
            every = [w for age in (17, 18, 19, 20, 21) if today in (w := window_for(dob, age))]
            assert checks_wanted(dob, [], today) == every
            assert checks_wanted(dob, [today], today) == []
            found += len(every)
    assert found > 100
