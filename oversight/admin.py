from django.contrib import admin
from django_celery_beat.admin import PeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask

from core.admin import AuditedDeletionsMixin, ReadOnlyMixin

from . import models
from .schedule import NIGHTLY_SCHEDULE


def _is_nightly(task) -> bool:
    return task is not None and (task.name == NIGHTLY_SCHEDULE.name or task.task == NIGHTLY_SCHEDULE.task)


class GuardedPeriodicTaskAdmin(AuditedDeletionsMixin, PeriodicTaskAdmin):
    """The nightly schedule cannot be deleted from the admin, nor its task, name or time changed
    (issue 14, item 3): it is written from oversight.schedule.NIGHTLY_SCHEDULE after migrate. Other
    periodic tasks stay as django-celery-beat keeps them."""

    def has_delete_permission(self, request, obj=None):
        return not _is_nightly(obj) and super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset.exclude(name=NIGHTLY_SCHEDULE.name).exclude(task=NIGHTLY_SCHEDULE.task))

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "name", "task", "crontab", "interval", "solar", "clocked", "one_off") if _is_nightly(obj) else fields


admin.site.unregister(PeriodicTask)
admin.site.register(PeriodicTask, GuardedPeriodicTaskAdmin)


@admin.register(models.NightlyRun)
class NightlyRunAdmin(ReadOnlyMixin, admin.ModelAdmin):  # issue 11, item 9: the admin reads
    list_display = ("night", "state", "attempts", "started_at", "finished_at", "snapshot_rows", "alerts_raised")
    list_filter = ("state",)
    readonly_fields = [f.name for f in models.NightlyRun._meta.fields]


@admin.register(models.Alert)
class AlertAdmin(ReadOnlyMixin, admin.ModelAdmin):  # issue 11, item 9: the admin reads
    list_display = ("young_person", "requirement", "kind", "rule", "due", "raised_on", "sent_at", "outcome")
    list_filter = ("kind", "rule", "outcome")
    readonly_fields = [f.name for f in models.Alert._meta.fields]


@admin.register(models.OverdueUpdate)
class OverdueUpdateAdmin(ReadOnlyMixin, admin.ModelAdmin):  # issue 11, item 9: the admin reads
    list_display = ("young_person", "requirement", "due", "version", "author", "recorded_on")
    readonly_fields = [f.name for f in models.OverdueUpdate._meta.fields]


# issue 12 (item 2): answers to overdue updates and dashboard reviews are records only ever added
@admin.register(models.OverdueAnswer)
class OverdueAnswerAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("update", "author", "created_at")


@admin.register(models.DashboardReview)
class DashboardReviewAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("reviewed_on", "dashboard", "team", "period", "reviewer")
