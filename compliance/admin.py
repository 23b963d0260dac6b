from django.contrib import admin

from . import models


class PackRequirementInline(admin.TabularInline):
    model = models.PackRequirement
    extra = 0


class PackEventInline(admin.TabularInline):
    model = models.PackEvent
    extra = 0


@admin.register(models.PolicyPack)
class PolicyPackAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "is_active", "escalation_attempts")
    inlines = [PackEventInline, PackRequirementInline]


@admin.register(models.Requirement)
class RequirementAdmin(admin.ModelAdmin):
    """Derived rows: read-only, recomputed by the engine."""

    list_display = ("young_person", "code", "last_met", "due", "basis", "computed_for")
    list_filter = ("code", "basis")
    raw_id_fields = ("young_person",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
