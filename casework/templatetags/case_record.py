"""Issue 11, item 7: the flags at the top of the young person's page (one query), without touching its view."""

from django import template

from careleavers.selectors import active_flags as _active_flags

register = template.Library()


@register.simple_tag
def active_flags(young_person) -> list:
    return list(_active_flags(young_person))
