from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import models


class NoDeleteMixin:
    """Records a court might ask for are never deleted, not even from the admin.

    Saving a case record here recomputes its young person's requirements in the same transaction,
    as every service does, so an admin edit (circumstance, event, override...) moves due dates at once."""

    def has_delete_permission(self, request, obj=None):
        return False

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        from compliance.engine import recompute_young_person

        obj = form.instance
        young_person_id = obj.pk if isinstance(obj, models.YoungPerson) else getattr(obj, "young_person_id", None)
        if young_person_id is None and hasattr(obj, "contact"):  # a visit checklist
            young_person_id = obj.contact.young_person_id
        if young_person_id is not None:
            recompute_young_person(young_person_id)


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
