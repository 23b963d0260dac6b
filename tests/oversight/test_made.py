"""Issue 16: the dashboards' prepared rows are made model instances by `oversight.selectors.made` without
Model.__init__ where that is all __init__ would do; each must be the instance `Model.from_db` makes of the same
values: the same attributes, state, deferred fields (read on first use) and related objects (read through the id)."""

import datetime as dt

import pytest
from django.db.models.signals import post_init

from approvals.models import Arrangement
from careleavers.models import Staff, Team, YoungPerson
from compliance.models import Requirement
from oversight.selectors import _field_order, _plain, made
from pathway.models import PathwayPlan
from tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db


def from_db(model, using, **values):
    names = _field_order(model, frozenset(values))
    return model.from_db(using, names, [values[name] for name in names])


def same(a, b):
    assert type(a) is type(b)
    assert {k: v for k, v in a.__dict__.items() if k != "_state"} == {k: v for k, v in b.__dict__.items() if k != "_state"}
    assert (a._state.adding, a._state.db) == (b._state.adding, b._state.db) == (False, "default")  # noqa: SLF001
    assert a.get_deferred_fields() == b.get_deferred_fields()


CASES = [
    (Requirement, {"id": 5, "young_person_id": 7, "code": "visit", "due": dt.date(2026, 3, 1)}),
    (YoungPerson, {"id": 7, "ref": "R7", "name": "Amy", "pa_id": 3}),
    (Staff, {"id": 3, "name": "Alice"}),
    (Team, {"id": 2, "name": "North"}),
    (PathwayPlan, {"id": 4, "young_person_id": 7, "submitted_at": None, "review_due": dt.date(2026, 4, 1)}),
    (Arrangement, {"id": 9, "young_person_id": 7, "kind": "reduced_visits", "state": "tl_approved", "requested_at": None}),
]


@pytest.mark.parametrize("model, values", CASES)
def test_made_is_the_instance_from_db_makes(model, values):
    assert _plain(model)  # the way without __init__ is the one taken for every model the dashboards read
    same(made(model, "default", **values), from_db(model, "default", **values))


def test_a_made_instance_reads_its_deferred_fields_and_relations_as_one_from_db(alice):
    person = YoungPersonFactory(pa=alice, name="Amy One")
    made_one = made(YoungPerson, "default", id=person.pk, ref=person.ref, pa_id=alice.pk)
    assert "name" in made_one.get_deferred_fields() and made_one.name == "Amy One"  # read on first use
    assert made_one.pa == alice and made_one.pa.name == alice.name  # through pa_id, as from_db's
    requirement = made(Requirement, "default", id=1, young_person_id=person.pk, code="visit", due=dt.date(2026, 3, 1))
    assert requirement.young_person == person
    requirement.young_person_id = alice.pk + 1000  # the id's descriptor still forgets the cached relation
    assert "young_person" not in requirement._state.fields_cache  # noqa: SLF001


def test_a_post_init_receiver_is_still_called():
    called = []

    def receiver(sender, instance, **kwargs):
        called.append(instance.pk)

    post_init.connect(receiver, sender=Team)
    try:
        made(Team, "default", id=2, name="North")
    finally:
        post_init.disconnect(receiver, sender=Team)
    assert called == [2]  # made by from_db then, so __init__ sends it
