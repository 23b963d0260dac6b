"""Calendar arithmetic for ages (CONTRACT "Dates").

Someone born on 29 February has their birthday on 1 March in years that are not leap years;
"21 years and 1 month" is the 21st birthday plus one calendar month, or the last day of that
month when it is shorter.
"""

import calendar
import datetime as dt


def birthday(date_of_birth: dt.date, age: int) -> dt.date:
    year = date_of_birth.year + age
    try:
        return date_of_birth.replace(year=year)
    except ValueError:  # 29 February in a common year
        return dt.date(year, 3, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    age = on.year - date_of_birth.year
    return age if on >= birthday(date_of_birth, age) else age - 1


def service_birthdays(date_of_birth: dt.date) -> dict[str, dt.date]:
    """The birthdays that open and close the leaving-care service, stored on the young person
    so the set-based engine compares dates instead of computing ages in SQL."""
    twenty_first = birthday(date_of_birth, 21)
    return {
        "birthday_16": birthday(date_of_birth, 16),
        "birthday_21": twenty_first,
        "birthday_21_1m": add_months(twenty_first, 1),  # rule D4
        "birthday_25": birthday(date_of_birth, 25),
    }


def british(day: dt.date) -> str:
    """24 Nov 2026, the way dates are shown everywhere (STYLE)."""
    return f"{day.day} {day:%b %Y}"


#: Leaving-care records are kept to the young person's 75th birthday (issue 14, item 9).
RETENTION_AGE = 75


def retention_date(date_of_birth: dt.date) -> dt.date:
    """The day a record is due for review for disposal: the 75th birthday."""
    return birthday(date_of_birth, RETENTION_AGE)
