"""Pathway plans: versions and the P3 life-cycle (draft -> submitted -> signed off / returned)."""

from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from simple_history.models import HistoricalRecords

from approvals.models import Arrangement
from careleavers.models import Staff, YoungPerson


class PlanState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted to Team Leader"
    RETURNED = "returned", "Returned with comments"
    SIGNED_OFF = "signed_off", "Signed off"


OPEN_PLAN_STATES = (PlanState.DRAFT, PlanState.SUBMITTED, PlanState.RETURNED)


class PlanKind(models.TextChoices):
    STANDARD = "standard", "Pathway plan"
    STEP_BACK = "step_back", "Step-back pathway plan"  # S4
    DIFFERENT_NEEDS = "different_needs", "Brief pathway plan"  # D3


#: P5 sections, in the order a PA writes them.
PLAN_SECTIONS = (
    "young_persons_voice",
    "health",
    "education_employment",
    "accommodation",
    "money",
    "relationships",
    "identity",
    "practical_skills",
    "contact_arrangements",
)
class Dimension(models.TextChoices):
    """The eight dimensions of the needs assessment (statutory guidance for care leavers, volume 3; P5)."""

    HEALTH = "health", "Health and development"
    EDUCATION = "education_employment", "Education, training and employment"
    RELATIONSHIPS = "relationships", "Family and social relationships"
    ACCOMMODATION = "accommodation", "Accommodation and its suitability"
    MONEY = "money", "Financial capability and support"
    PRACTICAL = "practical_skills", "Practical and life skills"
    IDENTITY = "identity", "Identity"
    EMOTIONAL = "emotional_behavioural", "Emotional and behavioural development"


#: Per dimension: (the field holding the PA's assessment, the field holding the young person's own words).
#: The assessment fields are the free-text boxes plans had before issue 13, so an earlier plan's text reads
#: as the PA's assessment of that dimension (issue 13, item 1).
DIMENSION_FIELDS: dict[str, tuple[str, str]] = {d.value: (d.value, f"{d.value}_words") for d in Dimension}


class Participation(models.TextChoices):
    TOOK_PART = "took_part", "Took part"
    DECLINED = "declined", "Declined to take part"
    UNAVAILABLE = "unavailable", "Unavailable"


class ContactMethod(models.TextChoices):
    """How the PA keeps in touch (P5): each is what one kind of arrangement asks for (V1, R6, S5, D3)."""

    VISITS = "visits", "Visits (face to face)"
    CONTACT = "contact", "Phone, text, message or card"
    VISIT_OFFER = "visit_offer", "An offer of a visit, by letter, text, email or message"
    LEAD_WORKER = "lead_worker", "Through the lead social worker"


class SharedHow(models.TextChoices):
    """P4: how the plan reached the young person."""

    IN_PERSON = "in_person", "Given in person"
    POST = "post", "By post"
    EMAIL = "email", "By email"
    MESSAGE = "message", "By a messaging app"
    THIRD_PARTY = "third_party", "Through someone they chose"


#: Entitlements the young person is told about, each with the date it was shared (P5, S4).
ENTITLEMENTS: dict[str, str] = {
    "local_offer_shared_on": "The Local Offer",
    "setting_up_home_shared_on": "Setting-up-home allowance",
    "council_tax_shared_on": "Council tax exemption",
    "bursary_shared_on": "Higher-education bursary",
}


#: S4 content of a step-back plan.
STEP_BACK_SECTIONS = (
    "attempts_to_engage",
    "offer_shared",
    "status_and_entitlements",
    "advocacy_offered",
    "known_plans",
    "open_door",
)


class PathwayPlan(models.Model):
    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="plans")
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=PlanKind.choices, default=PlanKind.STANDARD)
    state = models.CharField(max_length=20, choices=PlanState.choices, default=PlanState.DRAFT)
    # P5 content.
    young_persons_voice = models.TextField("the young person's voice", blank=True)
    health = models.TextField(blank=True)
    education_employment = models.TextField("education, training and employment", blank=True)
    accommodation = models.TextField(blank=True)
    money = models.TextField(blank=True)
    relationships = models.TextField("family and relationships", blank=True)
    identity = models.TextField(blank=True)
    practical_skills = models.TextField(blank=True)
    contact_arrangements = models.TextField("contact arrangements (how and how often)", blank=True)
    # S4 content (step-back plans).
    attempts_to_engage = models.TextField(blank=True)
    offer_shared = models.TextField("when the offer was shared", blank=True)
    status_and_entitlements = models.TextField("care leaver status and entitlements", blank=True)
    advocacy_offered = models.TextField("offer of advocacy", blank=True)
    known_plans = models.TextField(blank=True)
    open_door = models.TextField("the open door", blank=True)
    # Life-cycle.
    created_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    #: Everyone who wrote a section of this version (issue 14: none of them signs it off). Added to, never removed from.
    editors = models.ManyToManyField(Staff, blank=True, related_name="+", help_text="Who wrote any part of this version.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    review_due = models.DateField(null=True, blank=True, help_text="The review due date when submitted.")  # P2
    late_to_team_leader = models.BooleanField(
        default=False, help_text="First reached the Team Leader later than the policy's window before the review was due."  # P2
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    review_date = models.DateField(null=True, blank=True, help_text="The sign-off date is the review date.")  # P3
    shared_with_young_person_on = models.DateField(  # P4
        null=True, blank=True, help_text="When the signed-off plan was shared with the young person.")
    # reg 8(2)(b): the visit made since the previous review, as found at sign-off, or why there was none.
    visit_before_review_on = models.DateField(null=True, blank=True, help_text="reg 8(2)(b): the last visit before sign-off.")
    no_visit_reason = models.TextField("why no visit was made since the previous review", blank=True)
    imported = models.BooleanField(default=False, help_text="A past review brought in by import_cases.")
    # issue 13, item 1: the plan's structure. The PA's assessment per dimension is the text field named after
    # it (above, and emotional_behavioural here); the young person's own words are the *_words fields.
    emotional_behavioural = models.TextField("emotional and behavioural development", blank=True)
    health_words = models.TextField(blank=True)
    education_employment_words = models.TextField(blank=True)
    relationships_words = models.TextField(blank=True)
    accommodation_words = models.TextField(blank=True)
    money_words = models.TextField(blank=True)
    practical_skills_words = models.TextField(blank=True)
    identity_words = models.TextField(blank=True)
    emotional_behavioural_words = models.TextField(blank=True)
    contingency_plan = models.TextField("contingency plan: what happens if things go wrong", blank=True)
    pa = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                           verbose_name="the Personal Adviser named in the plan")
    participation = models.CharField("the young person's participation", max_length=20, choices=Participation.choices,
                                     blank=True)
    contact_method = models.CharField("how we keep in touch", max_length=20, choices=ContactMethod.choices, blank=True)
    contact_every_weeks = models.PositiveSmallIntegerField("how often (every so many weeks)", null=True, blank=True)
    local_offer_shared_on = models.DateField("the Local Offer shared on", null=True, blank=True)
    setting_up_home_shared_on = models.DateField("setting-up-home allowance explained on", null=True, blank=True)
    council_tax_shared_on = models.DateField("council tax exemption explained on", null=True, blank=True)
    bursary_shared_on = models.DateField("higher-education bursary explained on", null=True, blank=True)
    # issue 13, item 3: the arrangement the plan carries (R3, R4, S4, D3): a reduced-visits request made on this
    # version, or the step back / different-needs arrangement in force when it was started.
    arrangement = models.ForeignKey(Arrangement, null=True, blank=True, on_delete=models.PROTECT, related_name="plans")
    arrangement_reasons = models.TextField("the young person's reasons", blank=True)  # R3
    arrangement_assessment = models.TextField("the Personal Adviser's assessment", blank=True)  # R3
    # issue 13, item 4 (P4): how the plan reached the young person; when the PA was told it had not yet.
    shared_how = models.CharField("how it was shared", max_length=20, choices=SharedHow.choices, blank=True)
    share_by = models.DateField(null=True, blank=True, db_index=True,
                                help_text="The sign-off date plus the policy's days to share the plan; cleared once "
                                          "shared or when a later version is signed off.")  # P4
    unshared_reminder_on = models.DateField(null=True, blank=True,
                                            help_text="When the PA was told the signed-off plan was not yet shared.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["young_person", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["young_person", "version"], name="plan_version_unique"),
            models.UniqueConstraint(
                fields=["young_person"], condition=Q(state__in=OPEN_PLAN_STATES), name="one_open_plan_version"
            ),
            models.CheckConstraint(
                name="signed_off_plan_has_review_date",
                condition=~Q(state="signed_off") | Q(review_date__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["young_person", "state", "review_date"], name="plan_review_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version} for {self.young_person.ref}"

    @property
    def is_editable(self) -> bool:
        return self.state in (PlanState.DRAFT, PlanState.RETURNED)

    @cached_property
    def submitted_by(self) -> Staff | None:
        """Who last sent this plan to the Team Leader, or who wrote it before it was ever sent: the
        person who may not decide on it (P3)."""
        last = (
            self.decisions.filter(action=PlanAction.SUBMITTED).select_related("actor__user").order_by("-at", "-id").first()
        )
        return last.actor if last else self.created_by


    @cached_property
    def writer_ids(self) -> frozenset[int]:
        """Who wrote any part of this version, in whatever role they held (P3, issue 14): who started it, every
        editor, everyone who submitted it. One query. The plan's history cannot say this alone: the Team
        Leader's return and sign-off save the plan too, so its history names deciders as well as writers."""
        ids = (
            Staff.objects.filter(
                Q(pk=self.created_by_id)
                | Q(pk__in=PathwayPlan.editors.through.objects.filter(pathwayplan_id=self.pk).values("staff_id"))
                | Q(pk__in=PlanDecision.objects.filter(plan_id=self.pk, action=PlanAction.SUBMITTED).values("actor_id"))
            )
            .order_by()
            .values_list("pk", flat=True)
        )
        return frozenset(ids)


class PlanAction(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned with comments"
    SIGNED_OFF = "signed_off", "Signed off"
    SHARED = "shared", "Shared with the young person"


class PlanDecision(models.Model):
    """Each step of a plan's life-cycle, with who, when and why (O2). Never edited."""

    plan = models.ForeignKey(PathwayPlan, on_delete=models.PROTECT, related_name="decisions")
    action = models.CharField(max_length=20, choices=PlanAction.choices)
    actor = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    comments = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    NO_LONGER_NEEDED = "no_longer_needed", "No longer needed"


#: Actions that are finished: they are not carried into the next version (issue 13, item 2).
CLOSED_ACTION_STATUSES = (ActionStatus.DONE, ActionStatus.NO_LONGER_NEEDED)


class PlanActionItem(models.Model):
    """One action of a plan version: what, who, by when, and its status (P5). An open action is carried into
    the next version (`carried_from`) until it is done; a signed-off version's actions are never edited."""

    plan = models.ForeignKey(PathwayPlan, on_delete=models.PROTECT, related_name="actions")
    position = models.PositiveSmallIntegerField(default=0)
    dimension = models.CharField(max_length=30, choices=Dimension.choices, blank=True)
    what = models.TextField()
    who = models.CharField(max_length=200)
    by_when = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED)
    carried_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return self.what[:60]

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_ACTION_STATUSES
