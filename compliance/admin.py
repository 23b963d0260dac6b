from django.contrib import admin

from . import models
from .services import pack_activate, pack_changed


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
    readonly_fields = ("is_active",)
    actions = ["make_active"]

    def has_delete_permission(self, request, obj=None):
        return False  # past reports were computed under it

    @admin.action(description="Make the selected pack the service's active pack")
    def make_active(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one pack: the service runs one pack at a time.", level="error")
            return
        pack = pack_activate(pack=queryset.get())
        self.message_user(request, f"{pack.name} is now the active pack; every due date was recomputed.")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        pack_changed(pack=form.instance)


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
