"""careleavers/dates.py: birthdays, calendar months and ages (CONTRACT "Dates", D4)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.dates import add_months, age_on, birthday, service_birthdays

D = dt.date


@pytest.mark.parametrize(
    ("born", "age", "expected"),
    [
        (D(2006, 4, 12), 16, D(2022, 4, 12)),
        (D(2006, 4, 12), 21, D(2027, 4, 12)),
        (D(2004, 2, 29), 16, D(2020, 2, 29)),  # leap year: the real day
        (D(2004, 2, 29), 21, D(2025, 3, 1)),  # common year: 1 March
        (D(2004, 2, 29), 25, D(2029, 3, 1)),
        (D(2004, 2, 28), 21, D(2025, 2, 28)),
        (D(2084, 2, 29), 16, D(2100, 3, 1)),  # 2100 is not a leap year
    ],
)
def test_birthday(born, age, expected):
    assert birthday(born, age) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 6, 15), 1, D(2026, 7, 15)),
        (D(2026, 1, 31), 1, D(2026, 2, 28)),  # last day of a shorter month
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2026, 3, 31), 1, D(2026, 4, 30)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),  # across the year
        (D(2026, 12, 31), 2, D(2027, 2, 28)),
        (D(2026, 5, 31), 13, D(2027, 6, 30)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
        (D(2026, 1, 15), 0, D(2026, 1, 15)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (D(2006, 4, 12), D(2022, 4, 11), 15),
        (D(2006, 4, 12), D(2022, 4, 12), 16),
        (D(2004, 2, 29), D(2025, 2, 28), 20),
        (D(2004, 2, 29), D(2025, 3, 1), 21),
        (D(2004, 2, 29), D(2024, 2, 29), 20),
        (D(2004, 2, 29), D(2024, 2, 28), 19),
        (D(2006, 4, 12), D(2006, 4, 12), 0),
    ],
)
def test_age_on(born, on, age):
    assert age_on(born, on) == age


def test_d4_service_birthdays():
    assert service_birthdays(D(2005, 1, 31)) == {
        "birthday_16": D(2021, 1, 31),
        "birthday_21": D(2026, 1, 31),
        "birthday_21_1m": D(2026, 2, 28),
        "birthday_25": D(2030, 1, 31),
    }


def test_d4_service_birthdays_29_february():
    assert service_birthdays(D(2004, 2, 29)) == {
        "birthday_16": D(2020, 2, 29),
        "birthday_21": D(2025, 3, 1),
        "birthday_21_1m": D(2025, 4, 1),
        "birthday_25": D(2029, 3, 1),
    }


@given(st.dates(min_value=D(1950, 1, 1), max_value=D(2100, 12, 31)), st.integers(0, 30))
def test_age_on_a_birthday_is_that_age_and_the_day_before_one_less(born, age):
    day = birthday(born, age)
    assert age_on(born, day) == age
    if age > 0:
        assert age_on(born, day - dt.timedelta(days=1)) == age - 1


@given(st.dates(min_value=D(1950, 1, 1), max_value=D(2100, 12, 31)), st.integers(-24, 24))
def test_add_months_lands_in_the_right_month_on_the_same_or_last_day(start, months):
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day == start.day or (result.day < start.day and (result + dt.timedelta(days=1)).day == 1)


@given(st.dates(min_value=D(1990, 1, 1), max_value=D(2030, 12, 31)))
def test_service_birthdays_are_in_order(born):
    b = service_birthdays(born)
    assert b["birthday_16"] < b["birthday_21"] < b["birthday_21_1m"] < b["birthday_25"]
    assert 28 <= (b["birthday_21_1m"] - b["birthday_21"]).days <= 31
