"""Plan versions and their decisions are read-only in the admin: a signed-off plan is never edited back
to draft here; every state moves through pathway.services (issue 14, item 3)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyMixin

from . import models


class DecisionInline(ReadOnlyMixin, admin.TabularInline):
    model = models.PlanDecision
    extra = 0
    can_delete = False


@admin.register(models.PathwayPlan)
class PathwayPlanAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("young_person", "version", "kind", "state", "review_date")
    list_filter = ("state", "kind")
    inlines = [DecisionInline]


@admin.register(models.PlanDecision)
class PlanDecisionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("plan", "action", "actor", "at")
