"""The young person's page's own reads (issue 16): its PA's planned absences, the requirements with their status,
the active pack and its event rules. The same every request but for the young person and today, so each is
compiled once per process (core.prepared, core.prepared_models) and gives what the queryset gave."""

import datetime as dt
from functools import cache

from careleavers.models import PlannedAbsence
from compliance.models import PackEvent, PolicyPack, Requirement
from compliance.selectors import requirements_with_status
from core.batch import Read, read_objects
from core.prepared import DATE, INT
from core.prepared_models import PreparedModels, Together

from .case_record_panel import prepared_case_record
from .documents import prepared_panel_documents
from .panels import prepared_allocations, prepared_closures, prepared_covers

PACK_EVENT_COLUMNS = ("event_kind", "requirement", "window_days", "rule")


@cache
def prepared_absences() -> PreparedModels:
    return PreparedModels(lambda staff_id, today: PlannedAbsence.objects.filter(staff_id=staff_id, end__gte=today),
                          staff_id=INT, today=DATE)


@cache
def prepared_requirements() -> PreparedModels:
    return PreparedModels(lambda young_person_id, today: requirements_with_status(
        Requirement.objects.filter(young_person_id=young_person_id), today=today).order_by("due", "code"),
        young_person_id=INT, today=DATE)


@cache
def prepared_active_pack() -> PreparedModels:
    return PreparedModels(lambda: PolicyPack.objects.filter(is_active=True).order_by("pk")[:1])


@cache
def prepared_pack_events() -> PreparedModels:
    """The active pack's event rules, by the pack's mark rather than its id, so they are read in the same round trip
    as the pack itself: at most one pack is active (constraint one_active_pack), so they are active_pack()'s."""
    return PreparedModels(lambda: PackEvent.objects.filter(pack__is_active=True).only(*PACK_EVENT_COLUMNS))


def planned_absences(*, young_person, today: dt.date) -> list[PlannedAbsence]:
    """The PA's planned absences not yet over (V5); none for a young person waiting for a PA."""
    if young_person.pa_id is None:
        return []
    return read_objects(Read(prepared_absences(), {"staff_id": young_person.pa_id, "today": today}))


def requirements_read(*, young_person, today: dt.date) -> Read:
    return Read(prepared_requirements(), {"young_person_id": young_person.pk, "today": today},
                {"young_person": young_person})


def requirements_of(*, young_person, today: dt.date) -> list[Requirement]:
    """The young person's requirements with their status on `today`, by due date (V2, V4)."""
    return read_objects(requirements_read(young_person=young_person, today=today))


def active_pack() -> PolicyPack | None:
    found = prepared_active_pack().objects()
    return found[0] if found else None


def page_reads(*, young_person, today: dt.date) -> dict[str, Read]:
    """The page's own compiled reads, keyed for PageReads.read_together (issue 16: sent with the page's other reads
    in one round trip): "requirements" (requirements_of), "pack" (a list of the active
    pack or none, active_pack), "pack_events" (its event rules, pack_event_windows) and, for a young person with a PA,
    "absences" (planned_absences)."""
    reads = {"requirements": requirements_read(young_person=young_person, today=today),
             "pack": Read(prepared_active_pack(), {}), "pack_events": Read(prepared_pack_events(), {})}
    if young_person.pa_id is not None:
        reads["absences"] = Read(prepared_absences(), {"staff_id": young_person.pa_id, "today": today})
    return reads


def pack_event_windows(events: list[PackEvent]) -> list[tuple]:
    """The active pack's event rules (T6, T7, P1), read as page_reads' "pack_events", as (event kind, requirement,
    window in days, rule)."""
    return [(e.event_kind, e.requirement, e.window_days, e.rule) for e in events]


#: The young person's rows that the case panel, the case record panel, the documents panel and the allocation history
#: show, read together in one query (issue 16: seven before), each as its own prepared read would give them.
CASEWORK_READS = ("covers", "closures", "allocations", "accommodation", "activity", "professionals", "documents")


@cache
def together() -> Together:
    return Together(prepared_covers(), prepared_closures(), prepared_allocations(), *prepared_case_record(),
                    prepared_panel_documents())


def casework_rows(*, young_person, today: dt.date) -> dict[str, list[tuple]]:
    """The page's reader "casework_rows" (core.registry.PageReads): each of CASEWORK_READS' rows."""
    person, dated = {"young_person_id": young_person.pk}, {"young_person_id": young_person.pk, "today": today}
    return together().named(CASEWORK_READS, [dated, person, person, dated, dated, person, person])
