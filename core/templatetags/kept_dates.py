"""`{{ value|kept_date:"j M Y" }}`: the `date` filter, each date written once per process, language and format
(issue 16: the young person's page writes some forty dates, the same few again and again, and the filter costs about
fifty Python calls each time). Anything but a date or a date and time goes to the filter itself."""

import datetime as dt
from functools import lru_cache

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.translation import get_language

register = template.Library()


@lru_cache(maxsize=4096)
def _written(value, arg, language) -> str:
    return date_filter(value, arg)


@register.filter(expects_localtime=True, is_safe=False)
def kept_date(value, arg=None):
    """As `date` (expects_localtime too: a date and time arrives in local time, with its zone, which is in the key)."""
    if type(value) is dt.date or type(value) is dt.datetime:
        return _written(value, arg, get_language())
    return date_filter(value, arg)
