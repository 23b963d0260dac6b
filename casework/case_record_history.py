"""Issue 11: the versions of the case record's histories on the record's history page (one query each)."""

from careleavers.codes import ACCOMMODATION_TYPES, ACTIVITY
from careleavers.models import AccommodationPeriod, ActivityPeriod, AddressPeriod, Flag, KeyProfessional
from core.timeline import HistorySource


def _versions(model):
    def records(*, young_person, limit: int):
        return model.history.filter(young_person_id=young_person.pk).select_related(
            "history_user", "history_user__staff")[:limit]

    return records


def _from(record) -> str:
    return f"from {record.start.day} {record.start:%b %Y}"


SOURCES = (
    HistorySource("addresses", _versions(AddressPeriod), lambda r: f"Address {_from(r)}", order=60),
    HistorySource("accommodation", _versions(AccommodationPeriod),
                  lambda r: f"Accommodation ({ACCOMMODATION_TYPES.get(r.code, r.code)}) {_from(r)}", order=61),
    HistorySource("activity", _versions(ActivityPeriod),
                  lambda r: f"Education, employment or training ({ACTIVITY.get(r.code, r.code)}) {_from(r)}", order=62),
    HistorySource("professionals", _versions(KeyProfessional),
                  lambda r: f"Key professional: {r.get_role_display()}, {r.name}", order=63),
    HistorySource("flags", _versions(Flag), lambda r: f"Flag: {r.get_kind_display()}", order=64),
)
