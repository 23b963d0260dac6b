"""Reads for the returns (X1, X2): the birthday check flag and what a young person's returns lack."""

import calendar
import datetime as dt
from collections import defaultdict
from functools import lru_cache, reduce
from operator import or_
from typing import cast

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractDay

from contacts.models import InTouchCheck
from core.batch import Read, read_objects
from core.dates import add_months, birthday
from core.prepared import INT, Ids, Prepared
from core.prepared_models import PreparedModels

from .dfe import OC3_AGES
from .windows import checks_wanted, window_for


def _dobs_with_window_open(today: dt.date, age: int) -> list[dt.date]:
    """Every date of birth whose `age` birthday window contains today: a run of about four months,
    found by scanning generously around today's date `age` years ago."""
    centre = birthday(today, -age)
    days = (centre + dt.timedelta(days=offset) for offset in range(-160, 161))
    return [day for day in days if today in window_for(day, age)]


def _month_start(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def _window_condition(dobs: list[dt.date], age: int) -> Q:
    """Over InTouchCheck: the check's date lies in the `age` birthday window of its young person's
    date of birth, for the dates of birth in `dobs`.

    The window depends on the date of birth, so the condition is written per calendar month of
    birth: within one month the window's months are fixed and only the day varies, which SQL can
    compare with the day of the date of birth (ExtractDay), on SQLite and PostgreSQL alike. A
    29 February whose birthday is 1 March that year has its own fixed window."""
    dob, dob_day = "young_person__date_of_birth", ExtractDay("young_person__date_of_birth")
    groups: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
    special = []
    for day in dobs:
        if (day.month, day.day) == (2, 29) and birthday(day, age).month == 3:  # noqa: PLR2004  (29 Feb falls on 1 March)
            special.append(day)
        else:
            groups[(day.year, day.month)].append(day)
    conditions = []
    for day in special:
        window = window_for(day, age)
        conditions.append(Q(**{dob: day}, date__range=(window.opens, window.closes)))
    for (year, month), members in groups.items():
        birthday_month = _month_start(year + age, month)
        opens_month, closes_month = add_months(birthday_month, -3), add_months(birthday_month, 1)
        opens_last_day = calendar.monthrange(opens_month.year, opens_month.month)[1]
        after_opens_month = add_months(opens_month, 1)
        on_or_after_opening = Q(date__gte=after_opens_month) | (
            Q(date__year=opens_month.year, date__month=opens_month.month)
            & (Q(date__day__gte=dob_day) | Q(date__day__gte=opens_last_day))
        )
        on_or_before_closing = Q(date__lt=closes_month) | (
            Q(date__year=closes_month.year, date__month=closes_month.month) & Q(date__day__lte=dob_day)
        )
        conditions.append(Q(**{f"{dob}__range": (min(members), max(members))}) & on_or_after_opening & on_or_before_closing)
    return reduce(or_, conditions, Q(pk__in=[]))


def birthday_check_due_q(today: dt.date, *, ages=OC3_AGES) -> Q:
    """Q over YoungPerson: a 17th-21st birthday window is open today and no in-touch check is in it."""
    open_now: list[Q] = []
    recorded: list[Q] = []
    for age in ages:
        dobs = _dobs_with_window_open(today, age)
        if not dobs:
            continue
        open_now.append(Q(date_of_birth__range=(dobs[0], dobs[-1])))
        recorded.append(_window_condition(dobs, age))
    if not open_now:
        return Q(pk__in=[])
    checks = InTouchCheck.objects.filter(young_person=OuterRef("pk"))
    open_case = Q(closed_on__isnull=True) | Q(closed_on__gt=today)
    return cast("Q", reduce(or_, open_now) & open_case & ~Exists(checks.filter(reduce(or_, recorded))))


def annotate_birthday_check_due(queryset: QuerySet, today: dt.date) -> QuerySet:
    """Adds `birthday_check_due` (bool) to a YoungPerson queryset, in the same query: from 3 months
    before each 17th-21st birthday to 1 month after it, until an in-touch check is recorded (X1)."""
    return queryset.annotate(
        birthday_check_due=ExpressionWrapper(birthday_check_due_q(today), output_field=BooleanField())
    )


def checks_read(young_person) -> Read:
    """The young person's in-touch checks, newest first: compiled once per process (issue 16), sent with the young
    person's page's other reads (core.batch) or on its own."""
    return Read(_prepared_checks(), {"young_person_id": young_person.pk})


def birthday_checks_for(young_person, *, today: dt.date, checks=None) -> dict:
    """The returns panel of one young person: open windows without a check, and recent checks (one query; none
    given `checks`, checks_read's instances)."""
    if checks is None:
        checks = read_objects(checks_read(young_person))
    wanted = checks_wanted(young_person.date_of_birth, [c.date for c in checks], today)
    return {"wanted": wanted, "checks": checks[:5]}


@lru_cache(maxsize=1)
def _prepared_checks() -> PreparedModels:
    return PreparedModels(lambda young_person_id: InTouchCheck.objects.filter(young_person_id=young_person_id)
                          .order_by("-date"), young_person_id=INT)


#: The in-touch checks of up to this many people (a caseload page) are read by one query compiled once per process.
CHECKS_OF_PAGE = 25


@lru_cache(maxsize=4)
def _checks_of(n: int) -> Prepared:
    """The in-touch checks (young person's id, date) of up to `n` people (issue 16: a query prepared once per process,
    core.prepared, not built and compiled on every caseload page)."""
    return Prepared(lambda ids: InTouchCheck.objects.filter(young_person_id__in=ids).order_by()
                    .values_list("young_person_id", "date"), ids=Ids(n))


def birthday_checks_due_among(people, *, today: dt.date) -> set[int]:
    """The ids among `people` (young people already read, e.g. one caseload page) whose 17th-21st
    birthday window is open today with no in-touch check in it (X1), from one query over their checks
    only. The caseload's badge is worked out here, for the page's rows, instead of in SQL for every
    person the page sorts (issue 16: that expression was 17 KB per request and most of its CPU)."""
    people = [p for p in people if p.closed_on is None or p.closed_on > today]
    dates: dict[int, list[dt.date]] = defaultdict(list)
    if people:
        for young_person_id, day in _checks_of(max(len(people), CHECKS_OF_PAGE)).rows(ids=[p.pk for p in people]):
            dates[young_person_id].append(day)
    return {p.pk for p in people if checks_wanted(p.date_of_birth, dates[p.pk], today)}
