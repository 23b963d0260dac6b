from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from compliance.admin import NoDeleteMixin

from . import models


class DecisionInline(admin.TabularInline):
    model = models.ArrangementDecision
    extra = 0
    can_delete = False
    readonly_fields = ("step", "decision", "actor", "at", "rationale")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Arrangement)
class ArrangementAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ("young_person", "kind", "state", "active_from", "ended_on")
    list_filter = ("kind", "state")
    raw_id_fields = ("young_person", "requested_by")
    inlines = [DecisionInline]


@admin.register(models.ArrangementDecision)
class ArrangementDecisionAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ("arrangement", "step", "decision", "actor", "at")
    raw_id_fields = ("arrangement", "actor")

    def has_change_permission(self, request, obj=None):
        return False  # decisions are never overwritten (O2)


@admin.register(models.StepBackRecord)
class StepBackRecordAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ("arrangement", "item", "given_on")
    raw_id_fields = ("arrangement", "recorded_by")
