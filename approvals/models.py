"""Arrangements that change the contact pattern (A, R, S, D rules) and their decisions (O2)."""

from contextlib import suppress
from dataclasses import dataclass

from django.db import models
from django.db.models import F, Q
from django.utils.functional import cached_property
from simple_history.models import HistoricalRecords

from careleavers.models import Staff, YoungPerson
from core.roles import Role


class ArrangementKind(models.TextChoices):
    STANDARD = "standard", "Standard"
    REDUCED_VISITS = "reduced_visits", "Reduced visits"
    STEP_BACK = "step_back", "Step back"
    DIFFERENT_NEEDS = "different_needs", "Different needs"


class ArrangementState(models.TextChoices):
    REQUESTED = "requested", "Requested by PA"
    TEAM_LEADER_APPROVED = "tl_approved", "Approved by Team Leader, awaiting Service Leader"
    ACTIVE = "active", "Active"
    REJECTED = "rejected", "Rejected"
    ENDED = "ended", "Ended"
    WITHDRAWN = "withdrawn", "Withdrawn by PA"


PENDING_STATES = (ArrangementState.REQUESTED, ArrangementState.TEAM_LEADER_APPROVED)


class Arrangement(models.Model):
    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="arrangements")
    kind = models.CharField(max_length=20, choices=ArrangementKind.choices)
    state = models.CharField(max_length=20, choices=ArrangementState.choices, default=ArrangementState.REQUESTED)
    requested_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    #: What the PA recorded with the request: R1/R2 conversation, S1 attempts, D1/D2 criteria.
    details = models.JSONField(default=dict, blank=True)
    keeping_in_touch = models.TextField("keeping-in-touch frequency and method", blank=True)
    active_from = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    #: Put up for review (R1 no longer holds; E3): the Team Leader is told and decides whether it continues.
    review_requested_on = models.DateField(null=True, blank=True)
    review_reason = models.TextField(blank=True)
    imported = models.BooleanField(default=False)
    #: issue 13, item 3 (R3, R4): requested on a pathway plan version, so the Team Leader's approval is that
    #: version's sign-off (pathway.services.plan_sign_off), never a decision on its own.
    approved_by_plan_sign_off = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["young_person"], condition=Q(state="active"), name="one_active_arrangement"),
            models.UniqueConstraint(
                fields=["young_person"], condition=Q(state__in=PENDING_STATES), name="one_pending_arrangement"
            ),
            models.CheckConstraint(
                name="active_arrangement_has_start",
                condition=~Q(state__in=["active", "ended"]) | Q(active_from__isnull=False),
            ),
            models.CheckConstraint(
                name="arrangement_dates_in_order",
                condition=Q(ended_on__isnull=True) | Q(active_from__isnull=True) | Q(ended_on__gte=F("active_from")),
            ),
            models.CheckConstraint(name="arrangement_kind_not_standard", condition=~Q(kind="standard")),
        ]
        indexes = [models.Index(fields=["young_person", "state"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.young_person.ref} ({self.get_state_display()})"

    @cached_property
    def decision_rows(self) -> list["ArrangementDecision"]:
        """The decision rows in order, from a prefetch when the page made one (approvals.selectors.arrangements_of)."""
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("decisions")
        if prefetched is not None:
            return sorted(prefetched, key=lambda row: (row.at, row.id))
        return list(self.decisions.select_related("actor").order_by("at", "id"))

    @cached_property
    def chain_actor_ids(self) -> dict[str, frozenset[int]]:
        """Who took each step of the chain (issue 14: duties kept apart across role changes), from the decision
        rows and the requester: "request", "team_leader", "service_leader". Read once per
        instance; services re-read the arrangement under a lock, so it never outlives a decision."""
        steps: dict[str, set[int]] = {step.value: set() for step in CHAIN_STEPS}
        if self.requested_by_id is not None:
            steps[Step.REQUEST.value].add(self.requested_by_id)
        for row in self.decision_rows:
            if row.step in steps and row.actor_id is not None:
                steps[row.step].add(row.actor_id)
        return {step: frozenset(ids) for step, ids in steps.items()}

    @cached_property
    def team_leader_approval(self) -> "ApprovalOnRecord | None":
        """The Team Leader approval the Service Leader agrees to (R4, R5), with the approver's role and team as
        they were when they approved (the staff history), or None when no approval is the latest decision."""
        last = next((row for row in reversed(self.decision_rows) if row.step in CHAIN_STEPS), None)
        if last is None or last.step != Step.TEAM_LEADER or last.decision != Decision.APPROVED or last.actor_id is None:
            return None
        approver = last.actor
        # The approver as they were when they approved; with no version recorded before, as they are now.
        with suppress(Staff.DoesNotExist):
            approver = approver.history.as_of(last.at)
        return ApprovalOnRecord(decision=last, actor_id=last.actor_id, role=approver.role, team_id=approver.team_id)


class Step(models.TextChoices):
    REQUEST = "request", "Request"
    # Each decision step is named after the role that takes it (the role model is core.roles).
    TEAM_LEADER = Role.TEAM_LEADER.value, "Team Leader decision"
    SERVICE_LEADER = Role.SERVICE_LEADER.value, "Service Leader agreement"
    END = "end", "Ended"
    WITHDRAW = "withdraw", "Withdrawn"
    REVIEW = "review", "Review"


class Decision(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    AGREED = "agreed", "Agreed"
    REJECTED = "rejected", "Rejected"
    ENDED = "ended", "Ended"
    WITHDRAWN = "withdrawn", "Withdrawn"
    REVIEW_REQUESTED = "review_requested", "Put up for review"
    CONTINUES = "continues", "Reviewed: continues"


class ArrangementDecision(models.Model):
    """Who decided what, when, and why (O2). Rows are only ever added."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.PROTECT, related_name="decisions")
    step = models.CharField(max_length=20, choices=Step.choices)
    decision = models.CharField(max_length=20, choices=Decision.choices)
    actor = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    rationale = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]


#: The steps of an arrangement's chain that one person never takes two of (request, Team Leader, Service Leader).
CHAIN_STEPS = (Step.REQUEST, Step.TEAM_LEADER, Step.SERVICE_LEADER)


@dataclass(frozen=True)
class ApprovalOnRecord:
    decision: ArrangementDecision
    actor_id: int
    role: str
    team_id: int | None


class StepBackItem(models.TextChoices):
    VISIT_OFFER = "visit_offer", "Offer of a visit"
    LOCAL_OFFER = "local_offer", "The Local Offer"
    MONEY_MATTERS = "money_matters", "Money Matters details"
    CITIZENS_ADVICE = "citizens_advice", "Citizens Advice details"
    OPEN_DOOR_LETTER = "open_door_letter", '"Door is always open" letter'


class StepBackRecord(models.Model):
    """Each S2 item given at the step back, with its date; or, recorded by the Team Leader when the step
    back became active, why it could not be given (no date). Rows are only ever added: an item given
    later is a second row."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.PROTECT, related_name="step_back_items")
    item = models.CharField(max_length=20, choices=StepBackItem.choices)
    given_on = models.DateField(null=True, blank=True)
    not_given_reason = models.TextField("why it could not be given", blank=True)
    recorded_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["arrangement", "item"], condition=Q(given_on__isnull=False),
                                    name="step_back_item_given_once"),
            models.CheckConstraint(name="step_back_item_given_or_why_not",
                                   condition=Q(given_on__isnull=False) | ~Q(not_given_reason="")),
        ]
