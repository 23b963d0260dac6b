"""`{% fast_table table %}`: a dashboard's django-tables2 table rendered in Python (core.fast_tables, issue 16)."""

from django import template

from core.fast_tables import render_table

register = template.Library()


@register.simple_tag
def fast_table(table):
    return render_table(table)
