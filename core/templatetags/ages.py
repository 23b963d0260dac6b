"""Issue 11, item 2: the age is shown wherever the date of birth is (`{{ yp.date_of_birth|dob }}`)."""

import datetime as dt

from django import template
from django.utils import timezone

from core.dates import age_on

register = template.Library()


@register.filter
def dob(date_of_birth: dt.date | None, on: dt.date | None = None) -> str:
    """"3 Mar 2007 (age 19)": the date of birth the British way and the age today (or on `on`)."""
    if not date_of_birth:
        return ""
    age = age_on(date_of_birth, on or timezone.localdate())
    return f"{date_of_birth.day} {date_of_birth:%b %Y} (age {age})"


@register.filter
def age(date_of_birth: dt.date | None, on: dt.date | None = None) -> str:
    return str(age_on(date_of_birth, on or timezone.localdate())) if date_of_birth else ""
