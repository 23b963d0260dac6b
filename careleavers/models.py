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

from .codes import ACCOMMODATION_TYPES, ACTIVITY, ContactPreference


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
    vulnerable = models.BooleanField(default=False, help_text="Vulnerable or at risk.")  # R1, E2
    pa = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="caseload",
        limit_choices_to={"role": Role.PA}, verbose_name="Personal Adviser",
    )
    # Issue 11, item 1: empty while a registered young person waits for a PA (the unallocated queue).
    allocated_on = models.DateField(null=True, blank=True, help_text="First allocation to a Personal Adviser.")  # V3
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
        # T9: the duty admin's cards
        help_text="Qualifying (section 24) only: false when the council gives no PA service; the duty admin then sends cards.",
    )
    standard_pattern_from = models.DateField(
        null=True, blank=True,
        help_text="When the standard pattern began or resumed, if before the arrangements on record (from a case bundle).",  # V3
    )
    # --- issue 11 (items 1, 6, 8, 9) fields: registration, allocation, closing and reopening ---
    preferred_name = models.CharField(max_length=200, blank=True)
    referred_on = models.DateField(
        null=True, blank=True,
        help_text="When the young person was registered (referred) for a PA; empty for records imported with an allocation.",
    )
    referring_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals",
        help_text="The team the referral came to: its Team Leader allocates while no PA holds the case.",
    )
    ceased_looked_after_on = models.DateField("ceased to be looked after on", null=True, blank=True)
    extended_support_requested_on = models.DateField(
        "asked for support to 25 on", null=True, blank=True,
        help_text="The request for a PA to 25 (Children and Social Work Act 2017, s3).",
    )
    reopened_on = models.DateField(
        null=True, blank=True, help_text="The latest reopening: the contact pattern starts again from that day.",  # V3
    )

    # --- issue 11 (items 2-5, 7, 10) fields: identity, contact details, flags ---
    # The address is the open AddressPeriod's (address_record keeps it in step); the phone, e-mail and the
    # rest are edited on the Details page (young_person_details_update), every change a version.
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField("e-mail", blank=True)
    preferred_contact = models.CharField("preferred way to be contacted", max_length=20, blank=True,
                                         choices=ContactPreference.choices)
    ni_number = models.CharField("National Insurance number", max_length=9, blank=True)
    first_language = models.CharField(max_length=100, blank=True)
    interpreter_needed = models.BooleanField(default=False)
    religion = models.CharField(max_length=100, blank=True)
    immigration_status = models.CharField(max_length=200, blank=True)
    uasc_details = models.TextField("UASC details", blank=True,
                                    help_text="Unaccompanied asylum-seeking child: arrival, claim, leave to remain.")

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
    # issue 12 (item 3): T4, the supervision case note that agreed this interval
    supervision_note = models.ForeignKey("CaseNote", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
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
    # issue 12 (items 1-3): kinds a member of staff writes (the ones above are also written by the services)
    SUPERVISION = "supervision", "Supervision"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    PROFESSIONAL = "professional", "Contact from a professional"


class CaseNote(models.Model):
    """A written record (reg 8(1)(g)). Case notes are never edited: a correction is a new note, the next
    version of the same note (issue 12, item 1): `corrects` the version it replaces, `original` the first."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="case_notes")
    kind = models.CharField(max_length=20, choices=CaseNoteKind.choices, default=CaseNoteKind.GENERAL)
    author = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    subject = models.CharField(max_length=200)
    text = models.TextField()
    # issue 12 (items 1-3): versions, restriction, supervision
    restricted = models.BooleanField(default=False, help_text="Safeguarding detail: managers and the allocated PA only.")
    version = models.PositiveIntegerField(default=1)
    corrects = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="correction")
    original = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    correction_reason = models.CharField(max_length=500, blank=True)
    supervision = models.ForeignKey("SupervisionSession", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="notes")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["young_person", "created_at"]), models.Index(fields=["original"])]
        constraints = [
            models.CheckConstraint(name="case_note_version_chain",
                                   condition=Q(version=1, corrects__isnull=True, original__isnull=True)
                                   | Q(version__gt=1, corrects__isnull=False, original__isnull=False)),
        ]

    @property
    def root_id(self) -> int:
        """The first version's id: what every version of one note shares."""
        return self.original_id or self.pk


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

    # No index of its own: the (recipient, read_at) index starts with it (issue 16: a first night's 60 000 alert
    # notifications were written into both).
    recipient = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="notifications", db_index=False)
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


class ClosureReason(models.TextChoices):
    AGE_21 = "age_21", "Reached 21"
    AGE_25 = "age_25", "Reached 25"
    MOVED_AWAY = "moved_away", "Moved away"
    NO_LONGER_WANTS = "no_longer_wants", "No longer wants a service"
    DIED = "died", "Died"
    OTHER = "other", "Other"


class CaseClosure(models.Model):
    """One closing of a case, and its reopening if the young person came back (issue 11, item 8).
    Rows are only ever added, then given their reopening: nothing is deleted, and the record's history
    shows each closure and reopening."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="closures")
    closed_on = models.DateField()
    reason = models.CharField(max_length=20, choices=ClosureReason.choices)
    details = models.TextField(blank=True)
    closed_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    pa = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                           help_text="The PA who held the case when it closed.")
    reopened_on = models.DateField(null=True, blank=True)
    reopened_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reopen_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-closed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["young_person"], condition=Q(reopened_on__isnull=True),
                                    name="one_open_closure"),
            models.CheckConstraint(name="reopened_after_closing",
                                   condition=Q(reopened_on__isnull=True) | Q(reopened_on__gte=F("closed_on"))),
        ]

    def __str__(self) -> str:
        return f"Closed {self.closed_on}: {self.get_reason_display()}"

# --- issue 11 (items 2-5, 7, 10): identity and contact details, accommodation, EET, legal status, flags ---

# Histories (issue 11, items 2-4): each period runs from `start` to `end`, the day the young person moved out
# or stopped (exclusive); the open one (no end) is the current one. Periods never overlap (the services say
# so next to the field) and are corrected as new versions, never deleted.


class AddressPeriod(models.Model):
    """Item 2: where the young person lived, when. YoungPerson.address is the open period's address."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="addresses")
    address = models.TextField()
    start = models.DateField("from")
    end = models.DateField("to", null=True, blank=True, help_text="The day they moved out; empty while they live there.")
    recorded_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["young_person"], condition=Q(end__isnull=True), name="one_open_address"),
            models.CheckConstraint(name="address_dates_in_order", condition=Q(end__isnull=True) | Q(end__gt=F("start"))),
        ]

    def __str__(self) -> str:
        return self.address.splitlines()[0] if self.address else ""


class ProfessionalRole(models.TextChoices):
    GP = "gp", "GP"
    LEAD_SOCIAL_WORKER = "lead_social_worker", "Lead social worker"
    HEALTH = "health", "Health professional"
    EDUCATION = "education", "Education or training contact"
    HOUSING = "housing", "Housing or key worker"
    PROBATION = "probation", "Probation or youth justice"
    SOLICITOR = "solicitor", "Solicitor or immigration adviser"
    ADVOCATE = "advocate", "Advocate"
    OTHER = "other", "Other"


class KeyProfessional(models.Model):
    """Item 2: the GP, the lead social worker and other key professionals, with their contact details.
    One no longer involved is ended, never deleted."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="professionals")
    role = models.CharField(max_length=30, choices=ProfessionalRole.choices)
    name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField("e-mail", blank=True)
    notes = models.CharField(max_length=500, blank=True)
    ended_on = models.DateField("no longer involved from", null=True, blank=True)
    recorded_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "name", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"


class AccommodationPeriod(models.Model):
    """Item 3 (reg 9, Schedule 2): where the young person lives, as the 903's accommodation type, who provides
    it, and whether it is suitable (with why not). YoungPerson.accommodation is derived from the period open
    today; the returns read the period in force on their day."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="accommodation_periods")
    code = models.CharField("type of accommodation", max_length=1,
                            choices=[(k, f"{k}: {v}") for k, v in ACCOMMODATION_TYPES.items()])
    address = models.TextField(blank=True)
    start = models.DateField("from")
    end = models.DateField("to", null=True, blank=True, help_text="The day they moved out; empty while they live there.")
    provider = models.CharField(max_length=200, blank=True)
    council_provided = models.BooleanField("provided by the council", default=False)
    staying_put = models.BooleanField(default=False, help_text="Staying put with former foster carers after 18.")
    suitable = models.BooleanField(default=True)
    unsuitable_reason = models.TextField("why it is not suitable", blank=True)
    recorded_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start", "-id"]
        indexes = [models.Index(fields=["young_person", "start"])]
        constraints = [
            models.CheckConstraint(name="accommodation_dates_in_order",
                                   condition=Q(end__isnull=True) | Q(end__gt=F("start"))),
            models.CheckConstraint(name="unsuitable_has_reason", condition=Q(suitable=True) | ~Q(unsuitable_reason="")),
        ]

    def __str__(self) -> str:
        return f"{ACCOMMODATION_TYPES.get(self.code, self.code)} from {self.start}"

    @property
    def return_code(self) -> str:
        """ACCOM (X1): the letter, then 1 (suitable) or 2 (unsuitable)."""
        return f"{self.code}{1 if self.suitable else 2}"


#: YoungPerson.accommodation (the engine's, C3's and D1's coarse kind) for each 903 accommodation type.
ACCOMMODATION_KIND = {
    "B": Accommodation.FAMILY, "C": Accommodation.SPECIALIST_HOME, "D": Accommodation.SUPPORTED,
    "E": Accommodation.SUPPORTED, "G": Accommodation.OTHER, "H": Accommodation.OTHER, "K": Accommodation.OTHER,
    "R": Accommodation.UNKNOWN, "S": Accommodation.OTHER, "T": Accommodation.HOSTEL, "U": Accommodation.OWN_TENANCY,
    "V": Accommodation.HOSTEL, "W": Accommodation.BED_AND_BREAKFAST, "X": Accommodation.CUSTODY,
    "Y": Accommodation.OTHER, "Z": Accommodation.STAYING_PUT,
}


class ActivityPeriod(models.Model):
    """Item 4: education, employment or training, as the 903's activity code, with the provider."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="activity_periods")
    code = models.CharField("activity", max_length=2, choices=[(k, f"{k}: {v}") for k, v in ACTIVITY.items() if k != "0"])
    provider = models.CharField("provider or employer", max_length=200, blank=True)
    start = models.DateField("from")
    end = models.DateField("to", null=True, blank=True, help_text="The day it stopped; empty while it goes on.")
    recorded_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start", "-id"]
        indexes = [models.Index(fields=["young_person", "start"])]
        constraints = [
            models.CheckConstraint(name="activity_dates_in_order", condition=Q(end__isnull=True) | Q(end__gt=F("start"))),
        ]

    def __str__(self) -> str:
        return f"{ACTIVITY.get(self.code, self.code)} from {self.start}"


class FlagKind(models.TextChoices):
    VULNERABLE = "vulnerable", "Vulnerable"
    AT_RISK = "at_risk", "At risk"
    HAZARD = "hazard", "Hazard: lone-working warning"
    MISSING = "missing", "Missing episodes"
    EXPLOITATION = "exploitation", "Exploitation concern"


#: R1, E2: YoungPerson.vulnerable is true while one of these flags is active.
VULNERABILITY_FLAGS = (FlagKind.VULNERABLE, FlagKind.AT_RISK)


class Flag(models.Model):
    """Item 7: a warning on the record, who set it, when and why, and when it was cleared (and by whom, why).
    Cleared flags stay as history."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="flags")
    kind = models.CharField(max_length=20, choices=FlagKind.choices)
    reason = models.TextField()
    set_on = models.DateField()
    set_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cleared_on = models.DateField(null=True, blank=True)
    cleared_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    clear_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-set_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["young_person", "kind"], condition=Q(cleared_on__isnull=True),
                                    name="one_active_flag_per_kind"),
            models.CheckConstraint(name="flag_cleared_after_set",
                                   condition=Q(cleared_on__isnull=True) | Q(cleared_on__gte=F("set_on"))),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.set_on}"

# --- issue 12 (items 1-3): case notes, management oversight, supervision ---

#: Issue 12, item 1: the longest case note a member of staff writes (a longer record is split in two).
CASE_NOTE_MAX_LENGTH = 10_000
#: The kinds a member of staff picks when writing a note; supervision notes come from a supervision session.
WRITTEN_NOTE_KINDS = (CaseNoteKind.GENERAL, CaseNoteKind.PROFESSIONAL, CaseNoteKind.SAFEGUARDING, CaseNoteKind.OVERSIGHT)


class SupervisionSession(models.Model):
    """Issue 12, item 3: a Team Leader's supervision of a PA, covering several young people; each gets a
    supervision case note (CaseNote.supervision) on their record. Rows are only ever added."""

    pa = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="supervisions")
    supervisor = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="supervisions_held")
    held_on = models.DateField("date of the session")
    summary = models.TextField(blank=True, help_text="What was discussed beyond the young people (wellbeing, workload).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["pa", "held_on"])]

    def __str__(self) -> str:
        return f"Supervision of {self.pa_id} on {self.held_on}"

# --- issue 12 (items 4-7): documents, contact corrections, chronology, duty ---


class DocumentKind(models.TextChoices):
    IDENTITY = "identity", "Identity document"
    LETTER = "letter", "Letter"
    SIGNED_PLAN = "signed_plan", "Signed plan"
    CONSENT = "consent", "Consent to share"
    THIRD_PARTY_REPORT = "third_party_report", "Third-party report"
    OTHER = "other", "Other"


def document_path(document: "Document", filename: str) -> str:
    """Where the file is stored: never the uploaded name (it may say who the young person is), and never
    reachable by a public URL; every download goes through casework.documents (issue 12, item 4)."""
    return f"documents/{document.young_person_id}/{document.stored_as}"


class Document(models.Model):
    """A document on a young person's record (issue 12, item 4), stored through Django's storage API
    (STORAGES["default"]: local files or S3). Never deleted: a newer version supersedes it."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField("type", max_length=20, choices=DocumentKind.choices)
    title = models.CharField(max_length=200)
    dated = models.DateField("date of the document")
    file = models.FileField(upload_to=document_path, max_length=300)
    stored_as = models.CharField(max_length=80, editable=False)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by",
        help_text="The earlier version this one replaces (a version is superseded once).",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-dated", "-id"]
        indexes = [models.Index(fields=["young_person", "dated"])]
        constraints = [models.CheckConstraint(name="document_not_empty", condition=Q(size__gt=0))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class KeyEvent(models.Model):
    """A significant entry of the chronology, marked by a PA (issue 12, item 6): keyed by the timeline
    source's kind and the record's id, so any source's entry can be marked without a foreign key to it.
    Unmarking keeps the row (cleared_at); marking again adds a new one."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="key_events")
    source = models.CharField(max_length=30)
    object_id = models.PositiveBigIntegerField()
    marked_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    marked_at = models.DateTimeField(auto_now_add=True)
    cleared_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cleared_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-marked_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["young_person", "source", "object_id"], condition=Q(cleared_at__isnull=True),
                                    name="one_open_key_event_per_entry"),
        ]


class DutyDay(models.Model):
    """A PA on duty for a day, put there by their Team Leader (issue 12, item 7): while on duty they may find any
    young person in the service and open a record after giving a reason (BreakGlassGrant)."""

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="duty_days")
    date = models.DateField()
    assigned_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "staff__name"]
        constraints = [models.UniqueConstraint(fields=["staff", "date"], name="one_duty_day_per_staff_and_date")]


class BreakGlassGrant(models.Model):
    """A duty PA's reasoned opening of a record outside their caseload (issue 12, item 7). It widens what they see
    (core.rules.visible_young_people) for that day only; each opening is also an audit event."""

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="break_glass_grants")
    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="break_glass_grants")
    date = models.DateField()
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["staff", "date"])]

# --- issue 13: the pathway plan as a document ---

# --- issue 15: pages as their users want them ---

# --- issue 16: performance at national scale ---
