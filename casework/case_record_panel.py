"""Issue 11, items 2-4: the case record section of the young person's page (contact details, the current
accommodation with its suitability, the current activity, the key professionals). Three queries.

Issue 16: the three are compiled once per process (core.prepared) from careleavers.selectors' builders (the same
rule as case_record_summary) and read as the values shown, one dict a row with each choice's label
(`code_label`, `role_label`: get_FOO_display's), not model instances."""

from functools import lru_cache

from careleavers.models import AccommodationPeriod, ActivityPeriod, KeyProfessional
from careleavers.selectors import active_professionals, current_accommodation, current_activity
from core.prepared import DATE, INT, Prepared

ACCOMMODATION_COLUMNS = ("code", "start", "suitable", "unsuitable_reason")
ACTIVITY_COLUMNS = ("code", "provider", "start")
PROFESSIONAL_COLUMNS = ("role", "name", "organisation", "phone", "email")


@lru_cache(maxsize=1)
def prepared_case_record() -> tuple[Prepared, Prepared, Prepared]:
    return (
        Prepared(lambda young_person_id, today: current_accommodation(young_person_id, today)
                 .values_list(*ACCOMMODATION_COLUMNS)[:1], young_person_id=INT, today=DATE),
        Prepared(lambda young_person_id, today: current_activity(young_person_id, today)
                 .values_list(*ACTIVITY_COLUMNS)[:1], young_person_id=INT, today=DATE),
        Prepared(lambda young_person_id: active_professionals(young_person_id).values_list(*PROFESSIONAL_COLUMNS),
                 young_person_id=INT),
    )


def _labelled(model, field: str, columns: tuple[str, ...], rows: list[tuple]) -> list[dict]:
    labels = dict(model._meta.get_field(field).flatchoices)
    found = []
    for row in rows:
        values = dict(zip(columns, row, strict=True))
        values[f"{field}_label"] = str(labels.get(values[field], values[field]))
        found.append(values)
    return found


def case_record_panel(*, request, young_person, today, reads=None):
    if reads is not None:  # issue 16: read with the other panels' rows (casework.young_person_reads)
        found = reads["casework_rows"]
        rows = found["accommodation"], found["activity"], found["professionals"]
    else:
        accommodation, activity, professionals = prepared_case_record()
        rows = (accommodation.rows(young_person_id=young_person.pk, today=today),
                activity.rows(young_person_id=young_person.pk, today=today),
                professionals.rows(young_person_id=young_person.pk))
    accommodation_rows = _labelled(AccommodationPeriod, "code", ACCOMMODATION_COLUMNS, rows[0])
    activity_rows = _labelled(ActivityPeriod, "code", ACTIVITY_COLUMNS, rows[1])
    return {
        "yp": young_person,
        "accommodation": accommodation_rows[0] if accommodation_rows else None,
        "activity": activity_rows[0] if activity_rows else None,
        "professionals": _labelled(KeyProfessional, "role", PROFESSIONAL_COLUMNS, rows[2]),
    }
