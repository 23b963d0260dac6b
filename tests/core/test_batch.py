"""core.batch (issue 16): the young person's page's compiled reads sent in one round trip give each read's instances
as the read alone gives them (every field, related object, annotation, prefetched list and `known` object), on
PostgreSQL in one query; a read with a None value, and every read elsewhere, runs on its own."""

import datetime as dt

import pytest
from django.db import connection

from core.batch import Read, objects_together, one_round_trip, read_objects
from tests.core.test_prepared_models import _reads, _state, record  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def _alone(reads):
    return [[_state(o) for o in read_objects(read)] for read in reads]


def test_the_reads_together_give_each_reads_instances(record, django_assert_num_queries):  # noqa: F811
    reads = [Read(prepared, values, known) for prepared, values, known in _reads(record, dt.date.today())]
    expected = _alone(reads)
    assert all(expected)  # every read has rows to compare
    # On PostgreSQL one execute for all of them and the arrangements' two prefetches; elsewhere one query each.
    with django_assert_num_queries(3 if one_round_trip() else len(reads) + 2):
        found = objects_together(reads)
    assert [[_state(o) for o in objects] for objects in found] == expected
    assert all(o.young_person is record for read, objects in zip(reads, found, strict=True) if read.known for o in objects)


def test_a_read_with_a_none_value_runs_on_its_own(record, django_assert_num_queries):  # noqa: F811
    from careleavers.selectors import _prepared_young_person
    from contacts.timeline import prepared_contacts

    reads = [
        Read(prepared_contacts(201), {"young_person_id": record.pk}, {"young_person": record}),
        Read(_prepared_young_person("pa"), {"pk": record.pk, "key": None, "today": dt.date.today()}),
        Read(prepared_contacts(201), {"young_person_id": record.pk}),
    ]
    expected = _alone(reads)
    with django_assert_num_queries(2 if one_round_trip() else 3):
        found = objects_together(reads)
    assert [[_state(o) for o in objects] for objects in found] == expected
    assert found[1] == []  # key None: the PA's read matches nobody, as the queryset built with None does


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one round trip only on PostgreSQL")
def test_a_server_binding_cursor_takes_each_read_on_its_own(record, settings, django_assert_num_queries):  # noqa: F811
    from contacts.timeline import prepared_contacts, prepared_escalations

    reads = [
        Read(prepared_contacts(201), {"young_person_id": record.pk}),
        Read(prepared_escalations(201), {"young_person_id": record.pk}),
    ]
    options = connection.settings_dict["OPTIONS"]
    options["server_side_binding"] = True
    try:
        assert not one_round_trip()
        with django_assert_num_queries(2):
            found = objects_together(reads)
    finally:
        del options["server_side_binding"]
    assert [[_state(o) for o in objects] for objects in found] == _alone(reads)
