"""Issue 11, item 7: the flags at the top of the young person's page (one query), without touching its view."""

from django import template

from careleavers.selectors import prepared_active_flags

register = template.Library()


@register.simple_tag
def active_flags(young_person) -> list:
    return prepared_active_flags().objects(young_person_id=young_person.pk)  # issue 16: compiled once per process
