"""The plan sign-off queue as a django-tables2 table (templates/includes/table.html)."""

import django_tables2 as tables
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from core.reflow import DUE, NAME, STATUS, first_on_phone

DATE = "j M Y"


class SignOffQueueTable(tables.Table):
    """Pathway plans submitted to the Team Leader, nearest review first, late ones flagged (P2)."""

    young_person = tables.Column(verbose_name="Young person", accessor="young_person__name",
                                 order_by=("young_person__name", "pk"), attrs=first_on_phone(NAME))
    plan = tables.Column(verbose_name="Plan", accessor="kind", orderable=False)
    pa = tables.Column(verbose_name="Personal Adviser", accessor="young_person__pa__name", default="Unallocated",
                       orderable=False)
    submitted_at = tables.Column(verbose_name="Submitted", order_by=("submitted_at", "pk"))
    review_due = tables.Column(verbose_name="Review due", default="—", order_by=("review_due", "submitted_at", "pk"),
                               attrs=first_on_phone(DUE))
    timeliness = tables.Column(verbose_name="Timeliness", accessor="late_to_team_leader", empty_values=(),
                               orderable=False,
                               attrs=first_on_phone(STATUS, {"th": {"title": "Rule P2"}}))

    caption = "Pathway plans submitted for sign-off, nearest review first"

    class Meta:
        template_name = "includes/table.html"
        attrs = {"class": "table table-sm align-middle"}

    def render_young_person(self, record, value):
        return format_html('{} <span class="text-muted small">{}</span>', value, record.young_person.ref)

    def render_plan(self, record):
        return format_html('<a href="{}">{} v{}</a>', reverse("pathway:detail", args=[record.pk]),
                           record.get_kind_display(), record.version)

    def render_submitted_at(self, value):
        return date_filter(timezone.localtime(value), DATE)

    def render_review_due(self, value):
        return date_filter(value, DATE)

    def render_timeliness(self, value):
        if value:
            return format_html('<span class="badge text-bg-danger">{}</span>', "Late")
        return format_html('<span class="badge text-bg-success">{}</span>', "In time")
