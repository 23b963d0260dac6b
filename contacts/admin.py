"""Contacts, visit checklists, in-touch checks and escalation steps are read-only in the admin: a contact
recorded in error is voided through contacts.services, never edited here (issue 14, item 3)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyMixin

from . import models

for model, fields in [
    (models.Contact, ("young_person", "date", "method", "with_whom", "outcome", "voided_at")),
    (models.VisitCheck, ("contact", "health_and_safety", "trend")),
    (models.InTouchCheck, ("young_person", "date", "in_touch", "activity", "accommodation")),
    (models.Escalation, ("young_person", "step", "date")),
]:
    admin.site.register(model, type(f"{model.__name__}Admin", (ReadOnlyMixin, SimpleHistoryAdmin), {"list_display": fields}))


@admin.register(models.ContactCorrection)
class ContactCorrectionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Issue 12, item 5: corrections are rows only ever added (contacts.services.contact_correct)."""

    list_display = ("contact", "version", "reason", "corrected_by", "corrected_at")
