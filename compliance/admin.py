from django.contrib import admin

from careleavers.models import YoungPerson
from core.admin import NoDeleteMixin as BaseNoDeleteMixin
from core.admin import ReadOnlyMixin

from . import models
from .checkpoints import caseload_orders_lock
from .engine import recompute_young_person
from .services import pack_activate, pack_changed


class NoDeleteMixin(BaseNoDeleteMixin):
    """Records a court might ask for are never deleted, not even from the admin.

    Saving a case record here recomputes its young person's requirements in the same transaction,
    as every service does, so an admin edit (circumstance, event, override...) moves due dates at once."""

    def save_model(self, request, obj, form, change):
        caseload_orders_lock()  # issue 16: before the record's row lock (save_related recomputes)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        young_person_id = obj.pk if isinstance(obj, YoungPerson) else getattr(obj, "young_person_id", None)
        if young_person_id is None and hasattr(obj, "contact"):  # a visit checklist
            young_person_id = obj.contact.young_person_id
        if young_person_id is not None:
            recompute_young_person(young_person_id)


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
        pack = pack_activate(pack=queryset.get(), actor=getattr(request.user, "staff", None))
        self.message_user(request, f"{pack.name} is now the active pack; every due date was recomputed.")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        pack_changed(pack=form.instance, actor=getattr(request.user, "staff", None))


@admin.register(models.Requirement)
class RequirementAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Derived rows: read-only, recomputed by the engine (issue 11, item 9: and never deleted here)."""

    list_display = ("young_person", "code", "last_met", "due", "basis", "computed_for")
    list_filter = ("code", "basis")
    raw_id_fields = ("young_person",)
