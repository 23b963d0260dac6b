from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from careleavers import models
from compliance.admin import NoDeleteMixin


@admin.register(models.Team)
class TeamAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ("ref", "name")
    search_fields = ("ref", "name")


@admin.register(models.Staff)
class StaffAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ("ref", "name", "role", "team")
    list_filter = ("role", "team")
    search_fields = ("ref", "name")
    raw_id_fields = ("user",)


class AllocationInline(admin.TabularInline):
    model = models.Allocation
    fk_name = "young_person"
    extra = 0
    raw_id_fields = ("pa", "created_by")
    can_delete = False


@admin.register(models.YoungPerson)
class YoungPersonAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ("ref", "name", "date_of_birth", "legal_status", "circumstance", "pa")
    list_filter = ("legal_status", "circumstance", "extended_support")
    search_fields = ("ref", "name")
    raw_id_fields = ("pa",)
    inlines = [AllocationInline]
    list_select_related = ("pa",)


for model, fields in [
    (models.Allocation, ("young_person", "pa", "start", "end")),
    (models.Cover, ("young_person", "pa", "start", "end")),
    (models.Event, ("young_person", "kind", "date", "voided_at")),
    (models.IntervalOverride, ("young_person", "requirement", "interval_days")),
    (models.PlannedAbsence, ("staff", "start", "end", "reason")),
]:
    admin.site.register(
        model,
        type(f"{model.__name__}Admin", (NoDeleteMixin, SimpleHistoryAdmin), {
            "list_display": fields, "raw_id_fields": [f.name for f in model._meta.fields if f.is_relation],
        }),
    )


@admin.register(models.CaseNote)
class CaseNoteAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ("young_person", "kind", "subject", "author", "created_at")
    raw_id_fields = ("young_person", "author")

    def has_change_permission(self, request, obj=None):
        return False  # case notes are never edited


@admin.register(models.Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "kind", "message", "created_at", "read_at")
    raw_id_fields = ("recipient", "young_person")
