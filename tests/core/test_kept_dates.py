"""core.templatetags.kept_dates (issue 16): `kept_date` writes what the `date` filter writes, each date once."""

import datetime as dt

import pytest
from django.template import engines
from django.utils import timezone, translation

from core.templatetags import kept_dates

VALUES = [dt.date(2026, 3, 1), timezone.make_aware(dt.datetime(2026, 6, 30, 23, 30)),
          dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC), None, "", "not a date"]


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("fmt", ["j M Y", "Y-m-d", "D j F Y H:i T"])
def test_it_writes_what_date_writes(value, fmt):
    if type(value) is dt.date and "H" in fmt:  # the filter refuses a time of a date: so does this
        with pytest.raises(TypeError):
            kept_dates.kept_date(value, fmt)
        return
    template = engines["django"].from_string(
        '{% load kept_dates %}{{ v|kept_date:f }}|{{ v|kept_date:f }}|{{ v|date:f }}|{{ v|kept_date:f|default:"Never" }}')
    first, again, date, chained = template.render({"v": value, "f": fmt}).split("|")
    assert first == again == date and chained == (date or "Never")


def test_each_language_keeps_its_own():
    day = dt.date(2026, 3, 1)
    english = kept_dates.kept_date(day, "F")
    with translation.override("fr"):
        assert kept_dates.kept_date(day, "F") == "mars" != english
    assert kept_dates._written.cache_info().currsize > 0  # noqa: SLF001
