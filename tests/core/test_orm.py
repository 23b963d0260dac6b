"""core.orm: a column's identity built directly is the one Django's signature binding gives (issue 16)."""

import pytest
from django.db.models import CharField, F, IntegerField
from django.db.models.expressions import Col, Expression

from careleavers.models import Staff, YoungPerson
from core.orm import col_identity


def _django(col):
    return Expression.identity.func(col)


NAME = YoungPerson._meta.get_field("name")
PA = YoungPerson._meta.get_field("pa")


@pytest.mark.parametrize("make", [
    lambda: Col("careleavers_youngperson", NAME),
    lambda: Col(None, NAME),
    lambda: Col("T3", PA, Staff._meta.pk),
    lambda: Col("T3", target=NAME),
    lambda: Col(alias="T3", target=NAME, output_field=CharField()),
    lambda: Col("careleavers_youngperson", NAME, output_field=IntegerField()),
])
def test_a_columns_identity_is_djangos(make):
    col = make()
    assert col_identity(col) == _django(col)
    assert col.identity == _django(col)  # installed by CoreConfig.ready
    assert hash(col) == hash(make()) and col == make()


def test_columns_of_other_fields_or_aliases_differ():
    assert Col("a", NAME) != Col("b", NAME)
    assert Col("a", NAME) != Col("a", PA)
    assert Col("a", NAME) != Col("a", NAME, IntegerField())


def test_a_subclass_takes_djangos_way():
    class Other(Col):
        pass

    col = Other("a", NAME)
    assert col.identity == _django(col) and col.identity[0] is Other
    assert F("name") != Col("a", NAME)


@pytest.mark.django_db
def test_queries_still_order_by_selected_columns():
    # The compiler hashes each selected column when it orders (SQLCompiler._order_by_pairs).
    sql = str(YoungPerson.objects.only("name").order_by("name").query)
    assert 'ORDER BY "careleavers_youngperson"."name" ASC' in sql


def test_a_model_fields_column_identity_is_kept_and_still_djangos():
    """Issue 16: the identity of a model field's column under an alias is worked out once per process (core.orm._KNOWN)
    and is Django's each time, the field given as its own output field or not."""
    from core import orm
    for make in (lambda: Col("T9", NAME), lambda: Col("T9", NAME, NAME), lambda: Col("T9", NAME, None)):
        first, again = make(), make()
        assert col_identity(first) == _django(first) and col_identity(again) == _django(again)
    assert ("T9", id(NAME), id(None)) in orm._KNOWN and ("T9", id(NAME), id(NAME)) in orm._KNOWN  # noqa: SLF001
    assert Col("T9", NAME) != Col("T9", NAME, NAME)  # as in Django: the output field given is part of the identity
    transient = CharField()  # a field of no model is never kept (its id could be reused once it is gone)
    assert col_identity(Col("T9", transient)) == _django(Col("T9", transient))
    assert ("T9", id(transient), id(None)) not in orm._KNOWN  # noqa: SLF001
