"""The one typed audit log (as Zulip's RealmAuditLog): when, who, about which young person, what
kind of change, to which record, with what data. Every service writes its event in its own
transaction; nothing here is ever edited or deleted, and the admin shows it read-only.

Foreign keys name their models by string, so this shared layer imports no app above it.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class AuditKind(models.TextChoices):
    # careleavers
    CASE_NOTE_ADDED = "case_note.added", "Case note added"
    ABSENCE_PLANNED = "absence.planned", "Planned absence added"
    NOTIFICATIONS_READ = "notifications.read", "Notifications marked read"
    LEGAL_STATUS_CHANGED = "legal_status.changed", "Legal status changed"
    CARD_SENT = "card.sent", "Card sent"  # T9
    # compliance
    EVENT_RECORDED = "event.recorded", "Event recorded"
    PACK_ACTIVATED = "pack.activated", "Policy pack activated"
    PACK_CHANGED = "pack.changed", "Policy pack edited"
    INTERVAL_OVERRIDE_SET = "interval_override.set", "Visit interval agreed"  # T4
    INTERVAL_OVERRIDE_CLEARED = "interval_override.cleared", "Agreed visit interval cleared"
    # contacts
    CONTACT_LOGGED = "contact.logged", "Contact logged"
    CONTACT_VOIDED = "contact.voided", "Contact marked as recorded in error"
    ESCALATION_RECORDED = "escalation.recorded", "Escalation step recorded"
    OVERSIGHT_ITEM_OPENED = "oversight_item.opened", "Management-oversight item opened"
    OVERSIGHT_ITEM_ANSWERED = "oversight_item.answered", "Management-oversight item answered"
    # approvals
    ARRANGEMENT_REQUESTED = "arrangement.requested", "Arrangement requested"
    ARRANGEMENT_APPROVED = "arrangement.approved", "Arrangement approved by the Team Leader"
    ARRANGEMENT_AGREED = "arrangement.agreed", "Arrangement agreed by the Service Leader"
    ARRANGEMENT_REJECTED = "arrangement.rejected", "Arrangement rejected"
    ARRANGEMENT_WITHDRAWN = "arrangement.withdrawn", "Arrangement request withdrawn"
    ARRANGEMENT_ENDED = "arrangement.ended", "Arrangement ended"
    STEP_BACK_ITEM_RECORDED = "arrangement.step_back_item", "Step-back item recorded as given"
    STEP_BACK_ITEM_NOT_GIVEN = "arrangement.step_back_item_not_given", "Step-back item recorded as not given, with why"
    ARRANGEMENT_REVIEW_REQUESTED = "arrangement.review_requested", "Arrangement put up for review"
    ARRANGEMENT_REVIEWED = "arrangement.reviewed", "Arrangement reviewed: it continues"
    VULNERABILITY_CHANGED = "young_person.vulnerability", "Marked (or no longer) vulnerable or at risk"
    # pathway
    PLAN_STARTED = "plan.started", "Pathway plan started"
    PLAN_UPDATED = "plan.updated", "Pathway plan edited"
    PLAN_SUBMITTED = "plan.submitted", "Pathway plan submitted"
    PLAN_RETURNED = "plan.returned", "Pathway plan returned"
    PLAN_SIGNED_OFF = "plan.signed_off", "Pathway plan signed off"
    PLAN_SHARED = "plan.shared", "Pathway plan shared with the young person"
    # oversight
    OVERDUE_UPDATE_ADDED = "overdue_update.added", "Update on an overdue item"
    NIGHTLY_RUN = "nightly.run", "Nightly run finished"
    # returns: in-touch checks and DfE details
    IN_TOUCH_CHECK_RECORDED = "in_touch_check.recorded", "In-touch check recorded"
    RETURNS_DETAILS_UPDATED = "returns.details_updated", "Returns details updated"
    # interface
    CASES_IMPORTED = "cases.imported", "Case bundle imported"
    # issue 14 (items 3, 7, 8): the admin's changes, views of a record, subject access exports
    ADMIN_CHANGE = "admin.change", "Changed in the admin"
    RECORD_VIEWED = "record.viewed", "Record viewed"
    SUBJECT_ACCESS_EXPORTED = "subject_access.exported", "Subject access export"

    # --- issue 11 (items 1, 6, 8, 9): registration, allocation and cover, closing and reopening ---
    YOUNG_PERSON_REGISTERED = "young_person.registered", "Young person registered"
    ALLOCATED = "allocation.made", "Allocated to a PA"
    COVER_SET = "cover.set", "Cover set"
    ABSENCE_PLANNED_FOR = "absence.planned_for", "Absence planned by a Team Leader"
    CASE_CLOSED = "case.closed", "Case closed"
    CASE_REOPENED = "case.reopened", "Case reopened"
    EXTENDED_SUPPORT_REQUESTED = "extended_support.requested", "Support to 25 requested (s3)"

    # --- issue 11 (items 2-5, 7, 10): identity and contact details, accommodation, EET, legal status, flags ---
    DETAILS_UPDATED = "young_person.details_updated", "Identity and contact details updated"
    ADDRESS_RECORDED = "address.recorded", "Address recorded"
    PROFESSIONAL_ADDED = "professional.added", "Key professional added"
    PROFESSIONAL_ENDED = "professional.ended", "Key professional no longer involved"
    ACCOMMODATION_RECORDED = "accommodation.recorded", "Accommodation recorded"
    ACTIVITY_RECORDED = "activity.recorded", "Education, employment or training recorded"
    FLAG_SET = "flag.set", "Flag set"
    FLAG_CLEARED = "flag.cleared", "Flag cleared"

    # --- issue 12 (items 1-3): case notes, management oversight, supervision ---
    CASE_NOTE_WRITTEN = "case_note.written", "Case note written"
    CASE_NOTE_CORRECTED = "case_note.corrected", "Case note corrected (a new version)"
    OVERSIGHT_RECORDED = "oversight.recorded", "Management oversight recorded"
    OVERDUE_UPDATE_ANSWERED = "overdue_update.answered", "Update on an overdue item answered"
    DASHBOARD_REVIEWED = "dashboard.reviewed", "Dashboard reviewed"  # O1
    SUPERVISION_RECORDED = "supervision.recorded", "Supervision session recorded"

    # --- issue 12 (items 4-7): documents, contact corrections, chronology, duty ---
    DOCUMENT_UPLOADED = "document.uploaded", "Document uploaded"
    DOCUMENT_DOWNLOADED = "document.downloaded", "Document downloaded"
    CONTACT_CORRECTED = "contact.corrected", "Contact corrected (a new version)"
    KEY_EVENT_MARKED = "key_event.marked", "Chronology entry marked as a key event"
    KEY_EVENT_CLEARED = "key_event.cleared", "Chronology entry no longer a key event"
    CHRONOLOGY_EXPORTED = "chronology.exported", "Chronology exported as a PDF"
    DUTY_ASSIGNED = "duty.assigned", "Personal Adviser put on duty"
    BREAK_GLASS_OPENED = "break_glass.opened", "Record opened on duty, with a reason (break-glass)"

    # --- issue 13: the pathway plan as a document ---
    PLAN_ARRANGEMENT_REQUESTED = "plan.arrangement_requested", "Reduced visits requested on a pathway plan"
    PLAN_UNSHARED_REMINDED = "plan.unshared_reminded", "PA told a signed-off plan is not yet shared"
    PLAN_DOCUMENT = "plan.document", "Pathway plan document produced"

    # --- issue 15: pages as their users want them ---

    # --- issue 16: performance at national scale ---
    RETURNS_RECOMPUTE_REQUESTED = "returns.recompute_requested", "Returns asked to be worked out again"


class AuditEvent(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey("careleavers.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    young_person = models.ForeignKey(
        "careleavers.YoungPerson", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    kind = models.CharField(max_length=60, choices=AuditKind.choices)
    object_type = models.CharField(max_length=100, blank=True, help_text="app_label.model of the record changed")
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["young_person", "-at"]),
            models.Index(fields=["kind", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


class OnceToken(models.Model):
    """A create form's one-time token, used once (core/idempotency.py): the second submit of the same
    form finds this row and is sent to the first's result instead of creating a second record."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)
    used_at = models.DateTimeField(default=timezone.now)
    result_url = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "token"], name="once_token_unique")]
