from django.contrib import admin

from . import models


@admin.register(models.NightlyRun)
class NightlyRunAdmin(admin.ModelAdmin):
    list_display = ("night", "state", "attempts", "started_at", "finished_at", "snapshot_rows", "alerts_raised")
    list_filter = ("state",)
    readonly_fields = [f.name for f in models.NightlyRun._meta.fields]


@admin.register(models.Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("young_person", "requirement", "kind", "rule", "due", "raised_on", "sent_at", "outcome")
    list_filter = ("kind", "rule", "outcome")
    readonly_fields = [f.name for f in models.Alert._meta.fields]


@admin.register(models.OverdueUpdate)
class OverdueUpdateAdmin(admin.ModelAdmin):
    list_display = ("young_person", "requirement", "due", "version", "author", "recorded_on")
    readonly_fields = [f.name for f in models.OverdueUpdate._meta.fields]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
