"""Birthday windows of the in-touch check (X1), as pure date arithmetic.

The check that counts for a birthday is the one recorded closest to it, from 3 months before to
1 month after it (month arithmetic of core.dates: 29 February counts as 1 March in other
years, a month after 31 January is the last day of February).
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from core.dates import add_months, birthday

from .dfe import OC3_AGES, WINDOW_MONTHS_AFTER, WINDOW_MONTHS_BEFORE


@dataclass(frozen=True)
class BirthdayWindow:
    age: int
    birthday: dt.date
    opens: dt.date
    closes: dt.date

    def __contains__(self, day: dt.date) -> bool:
        return self.opens <= day <= self.closes


def window_for(date_of_birth: dt.date, age: int) -> BirthdayWindow:
    day = birthday(date_of_birth, age)
    return BirthdayWindow(age, day, add_months(day, -WINDOW_MONTHS_BEFORE), add_months(day, WINDOW_MONTHS_AFTER))


def collection_year(year: int) -> tuple[dt.date, dt.date]:
    """The SSDA903 collection year that starts on 1 April `year`."""
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 31)


def collection_year_of(day: dt.date) -> int:
    return day.year if day.month >= 4 else day.year - 1  # noqa: PLR2004  (the year starts on 1 April)


def birthday_in_year(date_of_birth: dt.date, year: int, ages: Sequence[int]) -> BirthdayWindow | None:
    """The window of the birthday among `ages` that falls in the collection year, if any (at most one does)."""
    start, _end = collection_year(year)
    # The one birthday in the year: in April-December of `year`, else in January-March of the next (issue 16:
    # worked out once, not tried for every age, for tens of thousands of young people).
    age = year - date_of_birth.year
    if birthday(date_of_birth, age) < start:
        age += 1
    return window_for(date_of_birth, age) if age in ages else None


class _Dated(Protocol):
    date: dt.date


T = TypeVar("T", bound=_Dated)


def closest_check(window: BirthdayWindow, checks: Iterable[T]) -> T | None:
    """The check (anything with a `.date`) inside the window closest to the birthday; on a tie the later
    one, as it is the more recent knowledge. Checks outside the window are ignored."""
    inside = [c for c in checks if c.date in window]
    if not inside:
        return None
    return min(inside, key=lambda c: (abs((c.date - window.birthday).days), -c.date.toordinal()))


def checks_wanted(date_of_birth: dt.date, check_dates: Iterable[dt.date], today: dt.date,
                  ages: Sequence[int] = OC3_AGES) -> list[BirthdayWindow]:
    """The birthday windows that are open today and have no check recorded in them yet."""
    dates = list(check_dates)
    # A window runs from 3 months before the birthday to 1 month after it (WINDOW_MONTHS_*, under a year), so only a
    # birthday in today's year or the one either side can have its window open (issue 16: the others' windows are not
    # worked out, for every row of every caseload page).
    near = today.year - date_of_birth.year
    return [
        window for age in ages
        if abs(near - age) <= 1
        and today in (window := window_for(date_of_birth, age)) and not any(d in window for d in dates)
    ]
