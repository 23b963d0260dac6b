"""Management oversight (O1): the nightly run's ledger, dated snapshots for trends, alerts sent
once, and the PA's dated updates on overdue items.

Like healthchecks' Flip, an alert is a row first and a message second: the nightly run raises
rows (unique per young person, requirement, kind and due date, so each is raised once) and a
separate step sends them, claiming each with a compare-and-swap update.
"""

from django.db import models
from django.db.models import Q

from careleavers.models import CaseNote, Staff, Team, YoungPerson
from compliance.models import RequirementCode, Status
from core.dates import british


class RunState(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class NightlyRun(models.Model):
    """The ledger: one row per night. The unique night is the claim, so two workers cannot both
    do the same night's work, and a second run the same night finds the row and stops.

    A "running" row is a lease, not a lock for ever: on PostgreSQL the run's session holds an
    advisory lock keyed by the night (gone when its connection goes); elsewhere the run refreshes
    `heartbeat_at`. A running row whose lease is gone is taken over by the next run
    (oversight.services.run_claim). `attempts` is the fencing token: a run only finishes the
    night if nobody took it over meanwhile."""

    night = models.DateField(unique=True, help_text="The date the run computed as of.")
    state = models.CharField(max_length=10, choices=RunState.choices, default=RunState.RUNNING)
    worker = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life of the run holding the night (the lease without PostgreSQL).",
    )
    #: Nights between the previous completed run and this one that had no completed run.
    missed_nights = models.JSONField(default=list, blank=True)
    requirements = models.PositiveIntegerField(default=0, help_text="Requirement rows after the recompute.")
    snapshot_rows = models.PositiveIntegerField(default=0)
    alerts_raised = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-night"]

    def __str__(self) -> str:
        return f"Nightly run for {british(self.night)} ({self.get_state_display()})"


class Snapshot(models.Model):
    """Counts of stored requirement rows on one night, by team, PA, requirement and status.

    Team and PA are copied as they were that night, so a later move does not rewrite history.
    """

    run = models.ForeignKey(NightlyRun, on_delete=models.PROTECT, related_name="snapshots")
    night = models.DateField()
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    pa = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    requirement = models.CharField(max_length=30, choices=RequirementCode.choices)
    status = models.CharField(max_length=10, choices=Status.choices)
    count = models.PositiveIntegerField()

    class Meta:
        ordering = ["night", "team", "pa", "requirement", "status"]
        indexes = [
            # The trend charts read overdue counts by night, team and requirement; covering them
            # makes that an index-only scan, and only a third of the rows are "overdue".
            models.Index(fields=["night", "team", "requirement"], include=["count"], condition=Q(status=Status.OVERDUE),
                         name="snapshot_overdue_trend"),
        ]


class OverdueByTeam(models.Model):
    """A night's overdue items by team (O1): the sum of that night's overdue Snapshot counts per team, written with
    the snapshot (oversight.services.snapshot_totals_take). Issue 16: the service dashboard's trend reads a year of
    nights by a service's 500 teams, and summing them from the snapshot's (team, PA, requirement) rows on every
    request was its largest read. Rows are only ever added, as the snapshot's."""

    run = models.ForeignKey(NightlyRun, on_delete=models.PROTECT, related_name="+")
    night = models.DateField()
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField()

    class Meta:
        ordering = ["night", "team"]
        indexes = [
            # The trends read the chosen nights' figures, each night's teams together: an index-only scan.
            models.Index(fields=["night", "team"], include=["count"], name="overdue_by_team_trend"),
        ]


class OverdueByCode(models.Model):
    """A night's overdue items by requirement (O1): the sum of that night's overdue Snapshot counts per requirement,
    written with the snapshot (oversight.services.snapshot_totals_take), for the Head of Service's chart by
    requirement (issue 16). Rows are only ever added, as the snapshot's."""

    run = models.ForeignKey(NightlyRun, on_delete=models.PROTECT, related_name="+")
    night = models.DateField()
    requirement = models.CharField(max_length=30, choices=RequirementCode.choices)
    count = models.PositiveIntegerField()

    class Meta:
        ordering = ["night", "requirement"]
        indexes = [
            models.Index(fields=["night", "requirement"], include=["count"], name="overdue_by_code_trend"),
        ]


class AlertKind(models.TextChoices):
    DUE_SOON = "due_soon", "Due soon"
    PLAN_TO_TEAM_LEADER = "plan_to_team_leader", "Pathway plan due with the Team Leader"
    OVERDUE = "overdue", "Overdue"
    ABSENCE_CLASH = "absence_clash", "Due during the PA's planned absence"
    ESCALATION_DUE = "escalation_due", "Visit due after unanswered contacts"


class AlertOutcome(models.TextChoices):
    PENDING = "", "Not sent yet"
    SENT = "sent", "Sent"
    SUPERSEDED = "superseded", "Not sent: the requirement changed before sending"
    NO_RECIPIENT = "no_recipient", "Not sent: no Personal Adviser allocated"


class Alert(models.Model):
    """One alert about one due date. The unique key makes each alert happen once."""

    # No index of its own: the unique key (alert_once) starts with the young person (issue 16: a first night wrote
    # 33 000 entries twice into an index nobody read).
    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="oversight_alerts",
                                     db_index=False)
    requirement = models.CharField(max_length=30, choices=RequirementCode.choices)
    kind = models.CharField(max_length=30, choices=AlertKind.choices)
    due = models.DateField()
    rule = models.CharField(max_length=10, help_text="The DOMAIN.md rule that raised it.")
    raised_on = models.DateField(help_text="The night it was raised.")
    run = models.ForeignKey(NightlyRun, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=AlertOutcome.choices, blank=True, default=AlertOutcome.PENDING)
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-raised_on", "due"]
        constraints = [
            models.UniqueConstraint(fields=["young_person", "requirement", "kind", "due"], name="alert_once"),
        ]
        indexes = [models.Index(fields=["sent_at"], condition=Q(sent_at__isnull=True), name="alert_unsent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.young_person_id} {self.requirement} due {self.due}"


class OverdueUpdate(models.Model):
    """A PA's dated update on an overdue item: why it is overdue and what happens next (O1, V4).

    Never edited: a new update is a new row with the next version number.
    """

    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="overdue_updates")
    requirement = models.CharField(max_length=30, choices=RequirementCode.choices)
    due = models.DateField(help_text="The due date of the overdue item this update is about.")
    version = models.PositiveIntegerField()
    reason = models.TextField("why it is overdue")
    plan = models.TextField("what will happen, and when")
    author = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    recorded_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["young_person", "requirement", "due", "version"], name="overdue_update_version"),
        ]
        indexes = [models.Index(fields=["young_person", "requirement", "due"], name="overdue_update_item")]

    def __str__(self) -> str:
        return f"Update {self.version} on {self.requirement} due {self.due} for {self.young_person_id}"


# --- issue 12 (items 1-3): management oversight: answers to overdue updates, dashboard reviews ---


class OverdueAnswer(models.Model):
    """Issue 12, item 2 (O1, PCC "we can review support if needed"): a manager's answer to a PA's update on an
    overdue item, written as a management-oversight case note. Rows are only ever added."""

    update = models.ForeignKey(OverdueUpdate, on_delete=models.PROTECT, related_name="answers")
    note = models.OneToOneField(CaseNote, on_delete=models.PROTECT, related_name="overdue_answer")
    author = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class ReviewPeriod(models.TextChoices):
    WEEKLY = "weekly", "Weekly review"
    MONTHLY = "monthly", "Monthly review"


class Dashboard(models.TextChoices):
    TEAM = "team", "Team dashboard"
    SERVICE = "service", "Service dashboard"
    HEAD = "head", "Head of Service dashboard"


class DashboardReview(models.Model):
    """Issue 12, item 2 (O1): a manager's weekly or monthly review of a dashboard: who reviewed which team's (or
    the service's) dashboard, when, and the actions agreed. Rows are only ever added."""

    dashboard = models.CharField(max_length=10, choices=Dashboard.choices)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="dashboard_reviews",
                             help_text="The team whose dashboard was reviewed; empty for the service's.")
    period = models.CharField(max_length=10, choices=ReviewPeriod.choices)
    reviewed_on = models.DateField()
    reviewer = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="dashboard_reviews")
    actions = models.TextField("actions agreed")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reviewed_on", "-id"]
        indexes = [models.Index(fields=["dashboard", "team", "reviewed_on"], name="dashboard_review_latest")]
        constraints = [
            models.CheckConstraint(name="team_review_names_a_team",
                                   condition=~Q(dashboard="team") | Q(team__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.get_period_display()} of the {self.get_dashboard_display().lower()} on {self.reviewed_on}"
