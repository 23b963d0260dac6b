"""Arrangements and their decision chains are read-only in the admin: a state moves only through
approvals.services (issue 14, item 3), and a decision row is never added in someone else's name (O2)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyMixin

from . import models


class DecisionInline(ReadOnlyMixin, admin.TabularInline):
    model = models.ArrangementDecision
    extra = 0
    can_delete = False


@admin.register(models.Arrangement)
class ArrangementAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("young_person", "kind", "state", "active_from", "ended_on")
    list_filter = ("kind", "state")
    inlines = [DecisionInline]


@admin.register(models.ArrangementDecision)
class ArrangementDecisionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("arrangement", "step", "decision", "actor", "at")


@admin.register(models.StepBackRecord)
class StepBackRecordAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("arrangement", "item", "given_on")
