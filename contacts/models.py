"""Contacts (C1-C3), living-environment checks (T6/C3), in-touch checks (X1) and escalation (E)."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from careleavers.models import Staff, YoungPerson
from compliance.models import VISIT_METHODS as COMPLIANCE_VISIT_METHODS
from core.dates import british


class Method(models.TextChoices):
    HOME_VISIT = "home_visit", "Home visit"
    OFFICE_VISIT = "office_visit", "Office visit (not collecting money)"
    FACE_TO_FACE = "face_to_face", "Other face-to-face"
    UNANNOUNCED_VISIT = "unannounced_visit", "Unannounced visit"
    PHONE = "phone", "Phone"
    TEXT = "text", "Text, WhatsApp or messaging app"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    CARD = "card", "Card (birthday, Christmas)"
    VOICEMAIL = "voicemail", "Voicemail"


#: Face-to-face methods: a completed one with the young person is a visit (C2).
VISIT_METHODS = tuple(Method(value) for value in COMPLIANCE_VISIT_METHODS)


class With(models.TextChoices):
    YOUNG_PERSON = "young_person", "The young person"
    THIRD_PARTY = "third_party", "A third party"
    LEAD_SOCIAL_WORKER = "lead_social_worker", "Lead social worker"
    FAMILY = "family", "Family or carers"


class Outcome(models.TextChoices):
    COMPLETED = "completed", "Completed"
    NO_RESPONSE = "no_response", "No response"
    CANCELLED_BY_YP = "cancelled_by_yp", "Cancelled by young person"
    CANCELLED_BY_PA = "cancelled_by_pa", "Cancelled by PA"
    DECLINED = "declined", "Declined"


class Purpose(models.TextChoices):
    NONE = "", "—"
    KIT_OFFER = "kit_offer", "Offer of a keeping-in-touch visit"  # S5


class Contact(models.Model):
    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="contacts")
    date = models.DateField()
    time = models.TimeField(null=True, blank=True)
    method = models.CharField(max_length=20, choices=Method.choices)
    with_whom = models.CharField("with", max_length=20, choices=With.choices, default=With.YOUNG_PERSON)
    third_party_name = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    purpose = models.CharField(max_length=20, choices=Purpose.choices, blank=True, default="")
    # S5: a keeping-in-touch offer names the date and time of the visit offered.
    offered_date = models.DateField("date of the visit offered", null=True, blank=True)
    offered_time = models.TimeField("time of the visit offered", null=True, blank=True)
    note = models.TextField("case note", blank=True)
    recorded_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # A contact recorded in error is voided, never deleted; the engine ignores it.
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    void_reason = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-time", "-id"]
        indexes = [
            # The engine reads each young person's newest meeting contact from this index alone:
            # an index-only backward scan on PostgreSQL (issue 6). Other databases ignore `include`.
            models.Index(
                fields=["young_person", "date"], name="contact_yp_date",
                include=["with_whom", "outcome", "method", "purpose", "voided_at"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} on {british(self.date)} ({self.get_outcome_display()})"

    @property
    def is_visit(self) -> bool:
        return (
            self.outcome == Outcome.COMPLETED
            and self.with_whom == With.YOUNG_PERSON
            and self.method in VISIT_METHODS
        )


class Condition(models.TextChoices):
    GOOD = "good", "Good"
    ADEQUATE = "adequate", "Adequate"
    CONCERN = "concern", "Concern"
    NOT_SEEN = "not_seen", "Not seen"


class Trend(models.TextChoices):
    IMPROVED = "improved", "Improved"
    SAME = "same", "No change"
    DETERIORATED = "deteriorated", "Deteriorated"


class VisitCheck(models.Model):
    """The living-environment checklist of a home visit (C3, T6); B&B/hostel items where relevant."""

    contact = models.OneToOneField(Contact, on_delete=models.PROTECT, related_name="visit_check")
    health_and_safety = models.CharField("health and safety, security", max_length=10, choices=Condition.choices)
    furnishings_and_kitchen = models.CharField(max_length=10, choices=Condition.choices)
    occupancy = models.CharField("occupancy (who lives there)", max_length=10, choices=Condition.choices)
    trend = models.CharField("improvement or deterioration", max_length=15, choices=Trend.choices)
    notes = models.TextField(blank=True)
    # B&B / hostel (C3).
    cooking = models.CharField("cooking facilities", max_length=10, choices=Condition.choices, blank=True)
    laundry = models.CharField("laundry facilities", max_length=10, choices=Condition.choices, blank=True)
    house_rules = models.CharField("rules of the accommodation", max_length=10, choices=Condition.choices, blank=True)
    overall_suitability = models.CharField(
        max_length=12, blank=True, choices=[("suitable", "Suitable"), ("unsuitable", "Unsuitable")]
    )
    history = HistoricalRecords()


class InTouchCheck(models.Model):
    """The in-touch check around a birthday for the SSDA903 OC3 table (X1); codes are DfE's."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="in_touch_checks")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="in_touch_checks")
    date = models.DateField()
    in_touch = models.CharField(max_length=4)
    activity = models.CharField(max_length=2)
    accommodation = models.CharField(max_length=2)
    recorded_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(fields=["young_person", "date"], name="one_in_touch_check_a_day")]


class EscalationStep(models.TextChoices):
    PHONE_CALL = "phone_call", "Phone call after a missed contact"  # E1
    LETTER = "letter", "Letter offering a new appointment"  # E1
    WRITTEN = "written", "Wrote, texted or emailed"  # T3
    CARD_LEFT = "card_left", "Called and left a card or note"  # T3
    THIRD_PARTY = "third_party", "Third party involved"  # E2
    UNANNOUNCED_VISIT = "unannounced_visit", "Unannounced visit"  # E2
    LINE_MANAGER = "line_manager", "Discussion with line manager"  # T3
    MISSING_REPORT_CONSIDERED = "missing_report_considered", "Missing-person report considered"  # E2
    MISSING_REPORTED = "missing_reported", "Reported missing to the police"  # E2


class Escalation(models.Model):
    """Each escalation step is a recorded, dated event on the young person's record (E)."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="escalations")
    step = models.CharField(max_length=30, choices=EscalationStep.choices)
    date = models.DateField()
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(name="escalation_step_valid", condition=Q(step__in=EscalationStep.values)),
        ]


class OversightKind(models.TextChoices):
    KIT_DECLINES = "kit_declines", "Keeping-in-touch offers declined in a row"  # S5


class OversightItem(models.Model):
    """A matter put to the Team Leader under management oversight (S5: repeated declines of the
    keeping-in-touch offer): opened, answered once, and kept (never edited after, never deleted)."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="oversight_items")
    kind = models.CharField(max_length=20, choices=OversightKind.choices)
    opened_on = models.DateField()
    reason = models.TextField()
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                help_text="The contact that opened it: the last of the declined offers.")  # S5
    answered_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.CheckConstraint(name="oversight_item_answered_with_answer",
                                   condition=Q(answered_at__isnull=True) | ~Q(answer="")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.young_person_id} opened {self.opened_on}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class ContactCorrection(models.Model):
    """A correction of a contact's date, time, method, outcome or note (issue 12, item 5): the contact row holds the
    corrected values, and each correction is a row with its reason and the values before and after, so the earlier
    version is kept (and the contact's django-simple-history has it too). Rows are only ever added; a contact
    recorded in error is voided instead."""

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="corrections")
    version = models.PositiveIntegerField(help_text="The contact's version this correction made (the first record is 1).")
    reason = models.TextField()
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    corrected_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contact", "version"]
        constraints = [models.UniqueConstraint(fields=["contact", "version"], name="one_correction_per_contact_version")]
