from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from compliance.admin import NoDeleteMixin

from . import models

for model, fields in [
    (models.Contact, ("young_person", "date", "method", "with_whom", "outcome", "voided_at")),
    (models.VisitCheck, ("contact", "health_and_safety", "trend")),
    (models.InTouchCheck, ("young_person", "date", "in_touch", "activity", "accommodation")),
    (models.Escalation, ("young_person", "step", "date")),
]:
    admin.site.register(
        model,
        type(f"{model.__name__}Admin", (NoDeleteMixin, SimpleHistoryAdmin), {
            "list_display": fields, "raw_id_fields": [f.name for f in model._meta.fields if f.is_relation],
        }),
    )
