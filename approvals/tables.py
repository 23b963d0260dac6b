"""The approvals queue as a django-tables2 table (templates/includes/table.html)."""

import django_tables2 as tables
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from core.reflow import DUE, NAME, STATUS, first_on_phone

from .models import ArrangementState


class ApprovalQueueTable(tables.Table):
    """Arrangement requests waiting for the signed-in manager, oldest first (R2, R4, R5), and the
    arrangements put up for review (R1, E3)."""

    young_person = tables.Column(verbose_name="Young person", accessor="young_person__name",
                                 order_by=("young_person__name", "pk"), attrs=first_on_phone(NAME))
    kind = tables.Column(verbose_name="Arrangement", orderable=False)
    team = tables.Column(verbose_name="Team", accessor="young_person__pa__team__name", default="—", orderable=False)
    requested_by = tables.Column(verbose_name="Requested by", accessor="requested_by__name", default="—",
                                 orderable=False)
    requested_at = tables.Column(verbose_name="Requested", order_by=("requested_at", "pk"), attrs=first_on_phone(DUE))
    waiting_for = tables.Column(verbose_name="Waiting for", accessor="state", orderable=False,
                                attrs=first_on_phone(STATUS))

    caption = "Arrangement requests waiting for a decision, oldest first"

    class Meta:
        template_name = "includes/table.html"
        attrs = {"class": "table table-sm align-middle"}

    def render_young_person(self, record, value):
        # issue 15, item 5: the name opens the young person's record.
        return format_html('<a href="{}">{}</a> <span class="text-muted small">{}</span>',
                           reverse("young_person", args=[record.young_person_id]), value, record.young_person.ref)

    def render_kind(self, record):
        return format_html('<a href="{}">{}</a>', reverse("approvals:detail", args=[record.pk]),
                           record.get_kind_display())

    def render_requested_at(self, value):
        return date_filter(timezone.localtime(value), "j M Y")

    def render_waiting_for(self, record, value):
        if record.review_requested_on:
            return format_html('<span class="badge text-bg-warning">Team Leader review</span> since {}',
                               date_filter(record.review_requested_on, "j M Y"))
        # `value` is the state's label here (django-tables2 shows a field with choices by its label): compare the state.
        return "Team Leader approval" if record.state == ArrangementState.REQUESTED else "Service Leader agreement"  # R5
