"""Policy packs (per-council rules as data) and the stored requirement rows of the engine."""

import datetime as dt

from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from simple_history.models import HistoricalRecords

from careleavers.models import Circumstance, YoungPerson

#: C2: the face-to-face methods that make a completed contact with the young person a visit. The
#: engine reads the contacts table by these values; contacts.models builds its Method choices' VISIT_METHODS
#: from them, so the two cannot drift apart.
VISIT_METHODS = ("home_visit", "office_visit", "face_to_face", "unannounced_visit")

class RequirementCode(models.TextChoices):
    VISIT = "visit", "Visit"
    CONTACT = "contact", "Contact"
    KEEPING_IN_TOUCH = "keeping_in_touch", "Keeping-in-touch offer"
    LEAD_WORKER_CONTACT = "lead_worker_contact", "Contact with lead social worker"
    FAMILY_CONTACT = "family_contact", "Contact with family or carers"
    PATHWAY_REVIEW = "pathway_review", "Pathway plan review"
    # Issue 11, item 1: a registered young person waiting for a PA (not a pack row: the pack's allocation_days).
    PA_ALLOCATED = "pa_allocated", "PA allocated"


class Status(models.TextChoices):
    OVERDUE = "overdue", "Overdue"
    DUE_SOON = "due_soon", "Due soon"
    OK = "ok", "On track"


class PolicyPack(models.Model):
    """One local authority's settings. Exactly one pack is active for the service."""

    key = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=200)
    version = models.PositiveIntegerField(default=1, help_text="The version of compliance/pack_data/<key>.json loaded.")
    is_active = models.BooleanField(default=False)
    escalation_attempts = models.PositiveSmallIntegerField(
        default=3, help_text="Consecutive unanswered contacts after which a visit is due at once."
    )  # E3
    different_needs_to_21_and_1_month = models.BooleanField(
        default=False, help_text="A different-needs service lasts to 21 years and 1 month."
    )  # D4
    plan_with_team_leader_days = models.PositiveSmallIntegerField(
        default=14, help_text="Days before the review date the plan must reach the Team Leader."
    )  # P2
    pathway_review_due_soon_days = models.PositiveSmallIntegerField(  # P2
        default=28, help_text="Days before a pathway review is due that it shows as due soon.")
    contact_due_soon_days = models.PositiveSmallIntegerField(  # V2
        default=14, help_text="Days before a visit or contact is due that it shows as due soon.")
    allocation_days = models.PositiveSmallIntegerField(
        default=7, help_text="Issue 11, item 1: days from registration by which a PA is allocated before it is overdue.",
    )
    plan_shared_within_days = models.PositiveSmallIntegerField(
        default=14, help_text="Days after sign-off by which the plan is shared with the young person.")  # P4 (issue 13)
    escalation_ladder = models.JSONField(
        default=list, blank=True,
        help_text="The steps offered when contacts go unanswered, per circumstance (pack_data/<key>.json).",
    )  # E1, E2, T3
    accommodation_moves = models.JSONField(
        default=dict, blank=True,
        help_text="Issue 11, item 3: the event and circumstance a move of accommodation brings (pack_data/<key>.json).",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["key"]
        constraints = [models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="one_active_pack")]

    def __str__(self) -> str:
        return self.name


class Trigger(models.TextChoices):
    INTERVAL = "interval", "Every interval"
    ESCALATION = "escalation", "After unanswered contacts"  # E3


class PackRequirement(models.Model):
    """A requirement that applies under (arrangement kind, circumstance) in a pack, and its interval."""

    pack = models.ForeignKey(PolicyPack, on_delete=models.CASCADE, related_name="requirements")
    arrangement_kind = models.CharField(max_length=20)
    circumstance = models.CharField(max_length=30, choices=Circumstance.choices)
    requirement = models.CharField(max_length=30, choices=RequirementCode.choices)
    trigger = models.CharField(max_length=20, choices=Trigger.choices, default=Trigger.INTERVAL)
    interval_days = models.PositiveIntegerField(null=True, blank=True)
    due_soon_days = models.PositiveSmallIntegerField()
    # What meets the requirement (read by the engine's one generic rule): a signed-off plan review, or a
    # contact whose method, with whom and outcome are in these comma-separated lists (empty: any), or a
    # keeping-in-touch offer whatever its outcome (S5). T2's home-only visit is `methods = "home_visit"`.
    met_by = models.CharField(max_length=10, choices=[("contact", "A contact"), ("plan", "A pathway plan review")],
                              default="contact")
    methods = models.CharField(max_length=200, blank=True)
    with_whom = models.CharField(max_length=100, blank=True)
    outcomes = models.CharField(max_length=100, blank=True)
    keeping_in_touch_offer = models.BooleanField(default=False)
    rule = models.CharField(max_length=20, blank=True, help_text="The DOMAIN.md rule this row implements.")
    basis = models.CharField(max_length=10, choices=[("law", "Law"), ("practice", "Council practice")], default="practice")
    history = HistoricalRecords()

    class Meta:
        ordering = ["pack", "arrangement_kind", "circumstance", "requirement"]
        constraints = [
            models.UniqueConstraint(
                fields=["pack", "arrangement_kind", "circumstance", "requirement"], name="pack_requirement_unique"
            ),
            models.CheckConstraint(
                name="interval_rows_have_interval",
                condition=~Q(trigger="interval") | Q(interval_days__gt=0),
            ),
            # reg 7: no pack edit takes the pathway plan review past six months.
            models.CheckConstraint(
                name="pack_review_at_most_182_days",
                condition=~Q(requirement="pathway_review") | Q(interval_days__lte=182),
            ),
        ]


class PackEvent(models.Model):
    """An event that pulls a requirement's due date forward to within a window (T6, T7, P1)."""

    pack = models.ForeignKey(PolicyPack, on_delete=models.CASCADE, related_name="events")
    event_kind = models.CharField(max_length=30)
    requirement = models.CharField(max_length=30, choices=RequirementCode.choices)
    window_days = models.PositiveIntegerField()
    rule = models.CharField(max_length=20, blank=True)
    basis = models.CharField(max_length=10, choices=[("law", "Law"), ("practice", "Council practice")], default="practice")
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pack", "event_kind", "requirement"], name="pack_event_unique"),
        ]


class Basis(models.TextChoices):
    INTERVAL = "interval", "Interval since last met"
    EVENT = "event", "Brought forward by an event"
    ESCALATION = "escalation", "Unanswered contacts"  # E3
    ALLOCATION = "allocation", "Waiting for a PA since registration"


class Requirement(models.Model):
    """What is due for one young person: the engine's stored result as of `computed_for`.

    Status moves with the calendar, so it is derived from `due` and `due_soon_from` when read.
    """

    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="requirements")
    # Issue 16: the young person's ref beside the due date, written by the engine with the row (its result carries
    # it), so "coming up" (V2, casework.filters.coming_up) reads its first rows in their order from one index
    # (requirement_due_ref) instead of every row of its first due dates with each one's young person.
    ref = models.CharField(max_length=50, default="", help_text="The young person's ref, the order's second key.")
    code = models.CharField(max_length=30, choices=RequirementCode.choices)
    last_met = models.DateField(null=True, blank=True)
    due = models.DateField()
    due_soon_from = models.DateField()
    interval_days = models.PositiveIntegerField(null=True, blank=True)
    basis = models.CharField(max_length=20, choices=Basis.choices)
    computed_for = models.DateField()

    class Meta:
        ordering = ["due", "code"]
        constraints = [models.UniqueConstraint(fields=["young_person", "code"], name="requirement_unique")]
        # The due dates' index carries "coming up"'s order (issue 16: requirement_due on (due) alone before it, now
        # beside a leading one and dropped).
        indexes = [models.Index(fields=["due", "ref", "code"], name="requirement_due_ref"),
                   models.Index(fields=["due_soon_from"])]

    def __str__(self) -> str:
        return f"{self.young_person_id} {self.code} due {self.due}"


# --- issue 16: the caseload's per-young-person summary, kept by the engine's set-based recompute ---


class Urgency(models.IntegerChoices):
    """A young person's worst status (V4, V2), as the caseload sorts by it: most urgent first."""

    OVERDUE = 0, "Overdue"
    DUE_SOON = 1, "Due soon"
    OK = 2, "On track"
    NOTHING_DUE = 3, "Nothing due"


#: The caseload's "-due" order: the latest due date first, nothing due last. SQLite has no NULLS LAST in an index, so
#: the index (and the order, compliance.selectors.SUMMARY_ORDERS) reads a missing date as the earliest of all.
LATEST_DUE_FIRST = Coalesce(F("next_due"), Value(dt.date(1, 1, 1)), output_field=models.DateField()).desc()


class CaseloadSummary(models.Model):
    """One row per young person: their urgency and the due date of their most urgent requirement as of
    `SummaryDate` (issue 16). The engine refreshes it in the same transaction as the Requirement rows
    it derives from (every write for that person; everyone at night), rewriting only rows that changed,
    so the caseload sorts and pages on one index instead of aggregating every requirement row per page.
    Derived data: recomputable at any time, never audited."""

    young_person = models.OneToOneField(
        YoungPerson, on_delete=models.CASCADE, primary_key=True, related_name="caseload_summary")
    ref = models.CharField(max_length=50, help_text="The young person's ref, the order's last key.")
    urgency = models.PositiveSmallIntegerField(choices=Urgency.choices)
    next_due = models.DateField(null=True, blank=True)
    overdue = models.PositiveSmallIntegerField(default=0, help_text="Requirements overdue.")  # V4
    due_soon = models.PositiveSmallIntegerField(default=0, help_text="Requirements due soon.")  # V2
    # The whole service's caseload lists open cases only (issue 11, item 8) and sorts by name or age too: the
    # summary carries what those need, so every sort of every page reads its 25 ids from one index (issue 16).
    closed = models.BooleanField(
        default=False, help_text="The case is closed on the summary's day (closed_on on or before it).")
    name = models.CharField(max_length=200, default="", help_text="The young person's name, for the sort by name.")
    date_of_birth = models.DateField(null=True, blank=True, help_text="For the sort by age.")

    class Meta:
        # Each sort of the caseload, open cases first (`closed` leads, so `closed = false` is one range of the
        # index, read forwards or backwards). "-due" (latest first, nothing due last, then ref) has its own.
        indexes = [
            models.Index(fields=["closed", "urgency", "next_due", "ref", "young_person"], name="caseload_urgency"),
            models.Index(fields=["closed", "next_due", "ref", "young_person"], name="caseload_next_due"),
            # next_due itself at the end: PostgreSQL reads an expression index alone only when it holds the column.
            models.Index(F("closed"), LATEST_DUE_FIRST, F("ref"), F("young_person"), F("next_due"),
                         name="caseload_next_due_desc"),
            models.Index(fields=["closed", "name", "ref", "young_person"], name="caseload_name"),
            models.Index(fields=["closed", "date_of_birth", "ref", "young_person"], name="caseload_dob"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.get_urgency_display()}"


class SummaryDate(models.Model):
    """The day every CaseloadSummary row is true for (a single row, id 1): set by the full refresh; the
    caseload refreshes the summary first when the calendar has moved on past it (issue 16)."""

    as_of = models.DateField()


#: How many rows CaseloadTotals spreads the sums over (young_person_id % TOTALS_BUCKETS), so that two writes at
#: once for different young people seldom wait for the same row.
TOTALS_BUCKETS = 32


class CaseloadTotals(models.Model):
    """The whole service's caseload sums (issue 16): young people recorded, summary rows, open cases and, over the
    open cases, requirements overdue and due soon and people with something overdue (V2, V4). Kept by the database
    itself: triggers on CaseloadSummary and on YoungPerson add each statement's change in the same transaction
    (migration compliance 0012), whichever code writes those rows, so the Service Leader's caseload reads a few
    rows instead of passing over everyone's summary on every page. Sum the rows for the totals. Derived data."""

    bucket = models.PositiveSmallIntegerField(primary_key=True)
    young_people = models.IntegerField(default=0)
    summaries = models.IntegerField(default=0)
    open = models.IntegerField(default=0)
    overdue_rows = models.IntegerField(default=0)
    due_soon_rows = models.IntegerField(default=0)
    overdue_people = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"bucket {self.bucket}: {self.open} open, {self.overdue_rows} overdue"


#: The stride of CaseloadCheckpoint when nothing else was asked (compliance_caseload_checkpoints_rebuild's default).
CHECKPOINT_STRIDE = 500


class CaseloadCheckpoint(models.Model):
    """Where a caseload order stands every `stride` open cases (issue 16): the sort keys of the open case at
    `position` in one of CaseloadSummary's index orders when the checkpoints were last rebuilt, and how many open
    cases sort strictly before those keys now. A page of the whole service's open cases seeks its index to the
    nearest checkpoint at or before it and skips fewer than `stride` entries from there, instead of an OFFSET of
    tens of thousands. Kept by PostgreSQL itself (migration compliance 0014): a statement-level trigger on
    CaseloadSummary adds each statement's moves to the positions after them in the writing transaction, or rebuilds
    them when a statement moves many rows (the night, a new day), whichever code writes; each order also has a
    first checkpoint below every key (position 0). SQLite has no triggers and no checkpoints: its pages use the
    OFFSET. Derived data."""

    order = models.CharField(max_length=20, help_text="compliance.checkpoints.INDEX_ORDERS")
    position = models.IntegerField(help_text="Open cases that sort strictly before these keys.")
    stride = models.PositiveIntegerField(default=CHECKPOINT_STRIDE)
    urgency = models.SmallIntegerField(null=True)
    next_due = models.DateField(null=True)
    name = models.CharField(max_length=200, default="")
    date_of_birth = models.DateField(null=True)
    ref = models.CharField(max_length=50)

    class Meta:
        indexes = [models.Index(fields=["order", "position"], name="caseload_checkpoint_position")]

    def __str__(self) -> str:
        return f"{self.order} at {self.position}"


# --- issue 16: the dashboards' counts by team, kept by the engine beside the caseload summary ---


class TeamSummary(models.Model):
    """The requirement rows overdue and due soon on `TeamSummaryDate`'s day, per Personal Adviser (None: no PA)
    and requirement: the service dashboard's teams side by side are these rows summed by each PA's team as it is
    when read, so a PA who moves team moves their counts with them and nothing is rewritten (issue 16). Kept by
    compliance.team_summary in the transaction of every write of the requirement rows (adding what changed, so
    two writes at once for one PA's young people both count) and rebuilt by the full recompute. Derived data."""

    pa = models.ForeignKey("careleavers.Staff", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=30, choices=RequirementCode.choices)
    overdue = models.IntegerField(default=0)  # V4
    due_soon = models.IntegerField(default=0)  # V2, P2

    class Meta:
        constraints = [
            # One row per PA and requirement, the young people waiting for a PA (pa is NULL) included.
            models.UniqueConstraint(Coalesce(F("pa"), Value(0)), F("code"), name="team_summary_pa_code"),
        ]

    def __str__(self) -> str:
        return f"{self.pa_id or 'no PA'} {self.code}: {self.overdue} overdue, {self.due_soon} due soon"


class TeamSummaryItem(models.Model):
    """One requirement row as it is counted in TeamSummary (its PA and its status on the summary's day), for the
    rows whose due-soon window has opened: what the next write for that young person takes back out before it adds
    their new rows, even when their PA has changed since (issue 16)."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=30, choices=RequirementCode.choices)
    pa = models.ForeignKey("careleavers.Staff", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    overdue = models.SmallIntegerField(default=0)  # 1 if overdue (V4), else due soon (V2)
    due_soon = models.SmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["young_person", "code"], name="team_summary_item_unique")]


class TeamSummaryDate(models.Model):
    """The day TeamSummary is true for (a single row, id 1): set by the full rebuild; the dashboards rebuild it
    first when the calendar has moved on past it (issue 16)."""

    as_of = models.DateField()


# --- issue 16: the ordinary night recomputes only the young people whose results can move ---


class ResultHorizon(models.Model):
    """Per young person: the day their stored results (their Requirement rows) were computed for, and the earliest
    later day on which those results could change with no new input (`stable_until`: a birthday, an allocation,
    closing or reopening date, an arrangement starting or ending, a legal status change, or a contact, event or plan
    review dated after that day; None when none lies ahead). Written by the engine in the same transaction as the
    rows, from every date its computation compares with the day (compliance.engine.HORIZON_COLUMNS, HORIZON_RECORDS); the ordinary
    night recomputes only the people whose `stable_until` has come (or whose rows were computed for a later day).
    Derived data: recomputable at any time."""

    young_person = models.OneToOneField(YoungPerson, on_delete=models.CASCADE, primary_key=True, related_name="+")
    computed_for = models.DateField()
    stable_until = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.young_person_id} computed for {self.computed_for}, stable until {self.stable_until}"


class FullRecompute(models.Model):
    """The last recompute of everyone (a single row, id 1): its day and the pack it ran under. The night recomputes
    everyone again when there is none, when the active pack is another, when the night is before it, and at least
    every engine.FULL_RECOMPUTE_DAYS days (issue 16)."""

    as_of = models.DateField()
    pack_id_used = models.IntegerField(null=True, blank=True)
