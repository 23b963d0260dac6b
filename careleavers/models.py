"""Young people, staff, teams, allocations and case notes.

Nothing here is ever hard-deleted (records of children in care are kept to the 75th
anniversary of birth): foreign keys protect, closures and voids are fields, and every
case record keeps its versions through django-simple-history.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.dates import retention_date, service_birthdays
from core.roles import MANAGER_ROLES, SERVICE_WIDE_ROLES, Role  # noqa: F401  (the role model, re-exported)
from core.rules import is_pa, visible_young_people


class LegalStatus(models.TextChoices):
    ELIGIBLE = "eligible", "Eligible"
    RELEVANT = "relevant", "Relevant"
    FORMER_RELEVANT = "former_relevant", "Former relevant"
    QUALIFYING = "qualifying", "Qualifying (section 24)"


class Circumstance(models.TextChoices):
    STANDARD = "standard", "Standard"
    SETTLED = "settled", "18+ and settled"
    NOT_SETTLED = "not_settled", "18+ and not settled"
    ON_LICENCE = "on_licence", "On licence"
    HIGHER_EDUCATION = "higher_education", "Higher education"
    CUSTODY = "custody", "Custody (prison or YOI)"
    EMERGENCY_ACCOMMODATION = "emergency_accommodation", "Emergency or short-term accommodation"


class Accommodation(models.TextChoices):
    UNKNOWN = "", "Not recorded"
    OWN_TENANCY = "own_tenancy", "Own tenancy"
    SUPPORTED = "supported", "Supported accommodation"
    STAYING_PUT = "staying_put", "Staying put with former foster carers"
    FAMILY = "family", "With parents or relatives"
    SPECIALIST_HOME = "specialist_home", "Specialist staffed home"
    BED_AND_BREAKFAST = "bed_and_breakfast", "Bed and breakfast or hotel"
    HOSTEL = "hostel", "Hostel"
    CUSTODY = "custody", "Custody"
    STUDENT = "student", "Student accommodation"
    OTHER = "other", "Other"


#: Accommodation where the B&B/hostel part of the living-environment checklist applies (C3).
SHORT_TERM_ACCOMMODATION = (Accommodation.BED_AND_BREAKFAST, Accommodation.HOSTEL)


class Team(models.Model):
    ref = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Staff(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff")
    ref = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=20, choices=Role.choices)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="staff")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "staff"
        constraints = [
            models.CheckConstraint(
                name="pa_and_team_leader_have_team",
                condition=~Q(role__in=[Role.PA, Role.TEAM_LEADER]) | Q(team__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_pa(self) -> bool:
        return is_pa(self.user)


class YoungPersonQuerySet(models.QuerySet):
    def visible_to(self, user, *, on=None) -> "YoungPersonQuerySet":
        """Who a member of staff may see (the rule behind careleavers.selectors.young_people_visible_to
        and core.rules.can_see_young_person): a PA their own caseload and the cases they cover today;
        a Team Leader their team's; Service Leaders and the Head of Service everyone; duty admin and
        strangers no one."""
        return visible_young_people(self, user, today=on or timezone.localdate())


class YoungPerson(models.Model):
    ref = models.CharField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    date_of_birth = models.DateField()
    legal_status = models.CharField(max_length=20, choices=LegalStatus.choices)
    circumstance = models.CharField(max_length=30, choices=Circumstance.choices, default=Circumstance.STANDARD)
    accommodation = models.CharField(max_length=30, choices=Accommodation.choices, blank=True, default="")
    extended_support = models.BooleanField(
        default=False, help_text="Wants support to 25 (Children and Social Work Act 2017, s3)."
    )
    vulnerable = models.BooleanField(default=False, help_text="Vulnerable or at risk (R1, E2).")
    pa = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="caseload",
        limit_choices_to={"role": Role.PA}, verbose_name="Personal Adviser",
    )
    allocated_on = models.DateField(help_text="First allocation to a Personal Adviser (rule V3).")
    closed_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=200, blank=True)
    # Returns fields (X1, X2).
    sex = models.CharField(max_length=1, blank=True, choices=[("M", "Male"), ("F", "Female"), ("U", "Unknown")])
    ethnicity = models.CharField(max_length=4, blank=True, help_text="DfE ethnicity code, e.g. WBRI.")
    upn = models.CharField("UPN", max_length=13, blank=True)
    uasc = models.BooleanField("UASC", default=False)
    disability = models.BooleanField(default=False)
    address = models.TextField(blank=True)
    pa_service = models.BooleanField(
        "PA service", default=True,
        help_text="Qualifying (section 24) only: false when the council gives no PA service (T9: cards from the duty admin).",
    )
    standard_pattern_from = models.DateField(
        null=True, blank=True,
        help_text="When the standard pattern began or resumed, if before the arrangements on record (V3; from a case bundle).",
    )
    # --- issue 11 (items 1, 6, 8, 9) fields: registration, allocation, closing and reopening ---

    # --- issue 11 (items 2-5, 7, 10) fields: identity, contact details, flags ---

    # Derived from date_of_birth; the engine compares dates, never ages (CONTRACT "Dates").
    birthday_16 = models.DateField(editable=False)
    birthday_21 = models.DateField(editable=False)
    birthday_21_1m = models.DateField(editable=False)
    birthday_25 = models.DateField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = YoungPersonQuerySet.as_manager()

    class Meta:
        ordering = ["ref"]
        verbose_name_plural = "young people"
        indexes = [models.Index(fields=["pa", "ref"]), models.Index(fields=["birthday_16", "birthday_25"]),
                   # issue 16: the caseload sorts by name and by age over an index
                   models.Index(fields=["name", "ref", "id"], name="youngperson_name"),
                   models.Index(fields=["date_of_birth", "ref", "id"], name="youngperson_dob")]

    def __str__(self) -> str:
        return f"{self.name} ({self.ref})"

    def save(self, *args, **kwargs):
        # Pure derivation from date_of_birth, so it belongs with the data, not in a service.
        self.set_birthdays()
        super().save(*args, **kwargs)

    def set_birthdays(self) -> None:
        for field, value in service_birthdays(self.date_of_birth).items():
            setattr(self, field, value)

    @property
    def retention_date(self) -> dt.date:
        """Kept to the 75th birthday, then reviewed (issue 14, item 9); never hard-deleted."""
        return retention_date(self.date_of_birth)


class Allocation(models.Model):
    """Allocation history to PAs: who held the case and when."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="allocations")
    pa = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="allocations")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(fields=["young_person"], condition=Q(end__isnull=True), name="one_open_allocation"),
            models.CheckConstraint(name="allocation_dates_in_order", condition=Q(end__isnull=True) | Q(end__gte=F("start"))),
        ]


class Cover(models.Model):
    """A PA covering another PA's case for a period (their cover cases)."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="covers")
    pa = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="covers")
    start = models.DateField()
    end = models.DateField()
    reason = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(name="cover_dates_in_order", condition=Q(end__gte=F("start"))),
        ]


class EventKind(models.TextChoices):
    CUSTODY_START = "custody_start", "Custody start (sentence or remand)"
    EMERGENCY_PLACEMENT = "emergency_placement", "Emergency placement (B&B, hotel)"
    ACCOMMODATION_MOVE = "accommodation_move", "Move of accommodation"
    SIGNIFICANT_CHANGE = "significant_change", "Other significant change"
    ACCOMMODATION_PROVIDED = "accommodation_provided", "Council first provides accommodation"


class Event(models.Model):
    """A dated change in a young person's life that can pull a due date forward (T6, T7, P1)."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    date = models.DateField()
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["young_person", "date"])]


class IntervalOverride(models.Model):
    """A per-young-person interval (V1 "more frequently as needs require", T4 supervision)."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="interval_overrides")
    requirement = models.CharField(max_length=30)
    interval_days = models.PositiveIntegerField()
    reason = models.TextField(blank=True)
    agreed_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["young_person", "requirement"], name="one_override_per_requirement"),
            models.CheckConstraint(name="override_interval_positive", condition=Q(interval_days__gt=0)),
            # reg 7: a pathway plan is reviewed at least every six months; no override stretches it.
            models.CheckConstraint(name="override_review_at_most_182_days",
                                   condition=~Q(requirement="pathway_review") | Q(interval_days__lte=182)),
        ]


class LegalStatusChange(models.Model):
    """The legal status in force from a date (eligible -> relevant -> former relevant; qualifying).

    YoungPerson.legal_status is the current one; a report as of a past date uses the status in force
    that day (the newest change on or before it), and with no history legal_status holds throughout."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="legal_status_changes")
    status = models.CharField(max_length=20, choices=LegalStatus.choices)
    from_date = models.DateField("in force from")
    reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["young_person", "from_date"]
        constraints = [
            models.UniqueConstraint(fields=["young_person", "from_date"], name="one_legal_status_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} from {self.from_date}"


class CaseNoteKind(models.TextChoices):
    GENERAL = "general", "Case note"
    CONTACT = "contact", "Contact"
    ESCALATION = "escalation", "Escalation"
    PLAN = "plan", "Pathway plan"
    ARRANGEMENT = "arrangement", "Arrangement decision"
    OVERSIGHT = "oversight", "Management oversight"


class CaseNote(models.Model):
    """A written record (reg 8(1)(g)). Case notes are never edited: a correction is a new note."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="case_notes")
    kind = models.CharField(max_length=20, choices=CaseNoteKind.choices, default=CaseNoteKind.GENERAL)
    author = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    subject = models.CharField(max_length=200)
    text = models.TextField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["young_person", "created_at"])]


class AbsenceReason(models.TextChoices):
    ANNUAL_LEAVE = "annual_leave", "Annual leave"
    TRAINING = "training", "Training"
    FLEXI = "flexi", "Flexi"
    OTHER = "other", "Other planned absence"


class PlannedAbsence(models.Model):
    """A PA's planned absence: due dates inside it are flagged so visits come forward (V5)."""

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="absences")
    start = models.DateField()
    end = models.DateField()
    reason = models.CharField(max_length=20, choices=AbsenceReason.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(name="absence_dates_in_order", condition=Q(end__gte=F("start"))),
            models.UniqueConstraint(fields=["staff", "start", "end"], name="absence_unique"),
        ]


class Notification(models.Model):
    """In-app notification to one member of staff (plans, arrangements, alerts)."""

    recipient = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="notifications")
    young_person = models.ForeignKey(YoungPerson, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40)
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]


class CardKind(models.TextChoices):
    BIRTHDAY = "birthday", "Birthday card"
    SEASONAL = "seasonal", "Seasonal card (Christmas)"


class CardSent(models.Model):
    """T9: a birthday or seasonal card sent by the duty admin to a section 24 young person without a PA
    service. Rows are only ever added."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="cards_sent")
    kind = models.CharField(max_length=10, choices=CardKind.choices)
    date = models.DateField("sent on")
    sent_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["young_person", "kind", "date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.young_person_id} on {self.date}"

# --- issue 11 (items 1, 6, 8, 9): registration, allocation and cover, closing and reopening ---

# --- issue 11 (items 2-5, 7, 10): identity and contact details, accommodation, EET, legal status, flags ---

# --- issue 12 (items 1-3): case notes, management oversight, supervision ---

# --- issue 12 (items 4-7): documents, contact corrections, chronology, duty ---

# --- issue 13: the pathway plan as a document ---

# --- issue 15: pages as their users want them ---

# --- issue 16: performance at national scale ---
