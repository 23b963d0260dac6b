"""The admin of the careleavers models. Teams and staff are back-office records kept here; the case
record (young people, allocations, cover, events, agreed intervals, legal status, case notes, absences,
notifications) is read-only: services write it (issue 14, item 3). Every admin change is audited
(core.signals)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from careleavers import models
from compliance.admin import NoDeleteMixin
from core.admin import ReadOnlyMixin


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


class AllocationInline(ReadOnlyMixin, admin.TabularInline):
    model = models.Allocation
    fk_name = "young_person"
    extra = 0
    can_delete = False


@admin.register(models.YoungPerson)
class YoungPersonAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("ref", "name", "date_of_birth", "legal_status", "circumstance", "pa")
    list_filter = ("legal_status", "circumstance", "extended_support")
    search_fields = ("ref", "name")
    inlines = [AllocationInline]
    list_select_related = ("pa",)


for model, fields in [
    (models.Allocation, ("young_person", "pa", "start", "end")),
    (models.Cover, ("young_person", "pa", "start", "end")),
    (models.Event, ("young_person", "kind", "date", "voided_at")),
    (models.IntervalOverride, ("young_person", "requirement", "interval_days")),
    (models.LegalStatusChange, ("young_person", "status", "from_date", "recorded_by")),
    (models.PlannedAbsence, ("staff", "start", "end", "reason")),
    (models.CardSent, ("young_person", "kind", "date", "sent_by")),
    # Issue 11, item 9: closures and reopenings are written by their pages (compliance.services).
    (models.CaseClosure, ("young_person", "closed_on", "reason", "reopened_on")),
]:
    admin.site.register(model, type(f"{model.__name__}Admin", (ReadOnlyMixin, SimpleHistoryAdmin), {"list_display": fields}))


@admin.register(models.CaseNote)
class CaseNoteAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("young_person", "kind", "subject", "author", "created_at", "version", "restricted")


@admin.register(models.SupervisionSession)  # issue 12, item 3: rows only ever added
class SupervisionSessionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("held_on", "pa", "supervisor")


@admin.register(models.Notification)
class NotificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("recipient", "kind", "message", "created_at", "read_at")


# Issue 12 (items 4-7): documents, key events, duty days and break-glass grants are read-only: services write them.
for model, fields in [
    (models.Document, ("young_person", "kind", "title", "dated", "uploaded_by", "uploaded_at")),
    (models.KeyEvent, ("young_person", "source", "object_id", "marked_by", "cleared_at")),
    (models.DutyDay, ("staff", "date", "assigned_by")),
]:
    admin.site.register(model, type(f"{model.__name__}Admin", (ReadOnlyMixin, SimpleHistoryAdmin), {"list_display": fields}))


@admin.register(models.BreakGlassGrant)
class BreakGlassGrantAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("staff", "young_person", "date", "reason", "created_at")
