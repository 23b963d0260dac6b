from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from compliance.admin import NoDeleteMixin

from . import models


class DecisionInline(admin.TabularInline):
    model = models.PlanDecision
    extra = 0
    can_delete = False
    readonly_fields = ("action", "actor", "at", "comments")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.PathwayPlan)
class PathwayPlanAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ("young_person", "version", "kind", "state", "review_date")
    list_filter = ("state", "kind")
    raw_id_fields = ("young_person", "created_by", "signed_off_by")
    inlines = [DecisionInline]


@admin.register(models.PlanDecision)
class PlanDecisionAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ("plan", "action", "actor", "at")
    raw_id_fields = ("plan", "actor")

    def has_change_permission(self, request, obj=None):
        return False  # decisions are never overwritten (O2)
