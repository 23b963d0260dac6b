"""The pathway plan's structure (issue 13, items 1 and 6): which fields a plan of each kind holds, how its
contact arrangements are checked against the arrangement in force, and what changed since the last version.

Kept apart from the services so the pages, the PDF and the services read one description of the plan.
"""

import datetime as dt
from dataclasses import dataclass

from approvals.models import PENDING_STATES, Arrangement, ArrangementKind, ArrangementState
from compliance.models import RequirementCode
from compliance.selectors import pack_intervals_for
from core.dates import british

from .models import (
    DIMENSION_FIELDS,
    ENTITLEMENTS,
    STEP_BACK_SECTIONS,
    ActionStatus,
    ContactMethod,
    Dimension,
    PathwayPlan,
    PlanKind,
)

#: The brief plan of a different-needs arrangement (D3) assesses these dimensions.
BRIEF_DIMENSIONS = (Dimension.HEALTH, Dimension.ACCOMMODATION, Dimension.RELATIONSHIPS, Dimension.EMOTIONAL)

#: The plan's own fields besides the needs (issue 13, item 1), in the order a reader meets them.
GENERAL_FIELDS = ("pa", "participation", "young_persons_voice")
CONTACT_FIELDS = ("contact_method", "contact_every_weeks", "contact_arrangements")
#: R3: what a plan carrying a reduced-visits request holds.
ARRANGEMENT_FIELDS = ("arrangement_reasons", "arrangement_assessment")


def dimensions_for(kind: str) -> tuple[str, ...]:
    return tuple(BRIEF_DIMENSIONS) if kind == PlanKind.DIFFERENT_NEEDS else tuple(Dimension.values)


def need_fields(kind: str) -> tuple[str, ...]:
    return tuple(name for dimension in dimensions_for(kind) for name in (DIMENSION_FIELDS[dimension][1],
                                                                          DIMENSION_FIELDS[dimension][0]))


def editable_fields(kind: str, *, carries_request: bool = False) -> tuple[str, ...]:
    """Every field a PA writes on a plan of this kind (the step-back plan adds S4; the D3 plan is brief)."""
    fields = (*GENERAL_FIELDS, *need_fields(kind), "contingency_plan", *CONTACT_FIELDS, *ENTITLEMENTS)
    if kind == PlanKind.STEP_BACK:
        fields += STEP_BACK_SECTIONS
    if carries_request:
        fields += ARRANGEMENT_FIELDS
    return fields


def label(name: str) -> str:
    """A field's label in sentence case (issue 13, item 6)."""
    text = str(PathwayPlan._meta.get_field(name).verbose_name)
    return text[:1].upper() + text[1:]


#: What a change of a need's field is called in "what changed" (the dimension, and whose words).
NEED_LABELS = {
    **{words: f"{Dimension(d).label}: in their own words" for d, (_, words) in DIMENSION_FIELDS.items()},
    **{assessment: f"{Dimension(d).label}: the Personal Adviser's assessment"
       for d, (assessment, _) in DIMENSION_FIELDS.items()},
}


# --- contact arrangements agree with the arrangement (issue 13, item 1; V1, R6, S5, D3) --------------

#: The contact method and the requirement each kind of arrangement asks for.
PATTERN: dict[str, tuple[str, str, str]] = {
    ArrangementKind.STANDARD: (ContactMethod.VISITS, RequirementCode.VISIT, "V1"),
    ArrangementKind.REDUCED_VISITS: (ContactMethod.CONTACT, RequirementCode.CONTACT, "R6"),
    ArrangementKind.STEP_BACK: (ContactMethod.VISIT_OFFER, RequirementCode.KEEPING_IN_TOUCH, "S5"),
    ArrangementKind.DIFFERENT_NEEDS: (ContactMethod.LEAD_WORKER, RequirementCode.LEAD_WORKER_CONTACT, "D3"),
}


def governing_arrangement(plan: PathwayPlan) -> Arrangement | None:
    """The arrangement the plan's contact arrangements must agree with: the request the plan carries while it
    waits for its decision (R3: the plan describes the pattern it asks for), else the one active today."""
    carried = plan.arrangement
    if carried is not None and carried.approved_by_plan_sign_off and carried.state in PENDING_STATES:
        return carried
    return Arrangement.objects.filter(young_person_id=plan.young_person_id, state=ArrangementState.ACTIVE).first()


def _weeks(days: int) -> str:
    return f"{days // 7} weeks" if days % 7 == 0 else f"{days} days"


def contact_refusal(plan: PathwayPlan, *, method: str, every_weeks: int | None,
                    on: dt.date | None = None) -> tuple[str, str] | None:
    """(field, message) when the structured contact arrangements contradict the arrangement in force, else None.
    The frequency is compared with the pack's interval for the arrangement, never with free text."""
    if not method:
        return None
    arrangement = governing_arrangement(plan)
    kind = arrangement.kind if arrangement else ArrangementKind.STANDARD
    wanted_method, code, _rule = PATTERN[kind]  # the rule ID stays out of the message (issue 15, item 3)
    what = "the standard pattern" if arrangement is None else arrangement.get_kind_display().lower()
    if arrangement is not None and arrangement.state != ArrangementState.ACTIVE:
        what = f"the {what} request this plan carries"
    interval = pack_intervals_for(plan.young_person, on=on, arrangement_kind=kind).get(code)
    needed = f"{ContactMethod(wanted_method).label.lower()}" + (f" at least every {_weeks(interval)}" if interval else "")
    if method != wanted_method:
        message = (f"These contact arrangements contradict {what}, which asks for {needed}; "
                   f"the plan says {ContactMethod(method).label.lower()}. Change how you keep in touch, "
                   "or change the arrangement first.")
        return ("contact_method", message)
    if every_weeks is not None and interval and every_weeks * 7 > interval:
        return ("contact_every_weeks", f"Every {every_weeks} weeks is less often than {what} allows: {needed}.")
    return None


# --- what changed since the last version (issue 13, item 6) -----------------------------------------

@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str
    after: str


def _shown(plan: PathwayPlan, name: str) -> str:
    value = getattr(plan, name)
    if value is None or value == "":
        return ""
    if isinstance(value, dt.date):
        return british(value)
    if name == "pa":
        return value.name
    display = getattr(plan, f"get_{name}_display", None)
    if display is not None:
        return str(display())
    return str(value)


def changes_since(plan: PathwayPlan, previous: PathwayPlan | None, *, actions=None, previous_actions=None) -> list[Change]:
    """The structured fields whose value differs from the previous version, and the actions added or whose
    status moved (compared on the server, field by field; no query: the callers pass what they read)."""
    if previous is None:
        return []
    names = editable_fields(plan.kind, carries_request=bool(plan.arrangement_id))
    changes = [Change(name, NEED_LABELS.get(name) or label(name), _shown(previous, name), _shown(plan, name))
               for name in names if _shown(previous, name) != _shown(plan, name)]
    before = {a.pk: a for a in previous_actions or []}
    for action in actions or []:
        earlier = before.get(action.carried_from_id) if action.carried_from_id else None
        if earlier is None:
            changes.append(Change("actions", "New action", "", action.what))
        elif earlier.status != action.status:
            changes.append(Change("actions", f"Action: {action.what}", ActionStatus(earlier.status).label,
                                  ActionStatus(action.status).label))
    return changes
