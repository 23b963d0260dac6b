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
