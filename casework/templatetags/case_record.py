"""Issue 11, item 7: the flags at the top of the young person's page (one query), without touching its view."""

from django import template

from careleavers.selectors import active_flags_read
from core.batch import read_objects
from core.registry import PageReads

register = template.Library()


@register.simple_tag(takes_context=True)
def active_flags(context, young_person) -> list:
    # Issue 16: compiled once per process; on the young person's page read with its other reads (its `reads`).
    reads = context.get("reads")
    if isinstance(reads, PageReads) and reads.young_person.pk == young_person.pk:
        return reads["flags"]
    return read_objects(active_flags_read(young_person))
