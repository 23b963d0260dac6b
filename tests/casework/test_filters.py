"""The caseload's filter form as the page writes it (casework.filters.CaseloadFilter.form_fields, issue 16): when the
request names no filter, the fields are written without building django-filter's form, and they are the entries the
form gives, for every persona."""

import pytest
from django.http import QueryDict

from careleavers.models import YoungPerson
from casework.filters import CaseloadFilter
from tests.careleavers.helpers import today

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["alice", "tess", "sol"])
@pytest.mark.parametrize("query", ["", "sort=name&page=2"])
def test_the_unfiltered_form_is_written_without_a_form_and_the_same(request, persona, query, charlie):
    staff = request.getfixturevalue(persona)
    filters = CaseloadFilter(QueryDict(query), queryset=YoungPerson.objects.all(), user=staff.user, today=today())
    fields = filters.form_fields()
    assert "_form" not in vars(filters)  # no form built
    assert fields == filters._bound_form_fields()  # noqa: SLF001  (the form's way, for comparison)
    assert [f["name"] for f in fields][:2] == ["q", "status"]
    assert ("pa" in [f["name"] for f in fields]) is (persona != "alice")  # a PA has no PA filter
    assert ("team" in [f["name"] for f in fields]) is (persona == "sol")


def test_a_filter_named_empty_is_written_by_the_form(tess):
    """An empty value asked for selects the empty option ("Any ..."), which the form path writes."""
    filters = CaseloadFilter(QueryDict("status="), queryset=YoungPerson.objects.all(), user=tess.user, today=today())
    status = next(f for f in filters.form_fields() if f["name"] == "status")
    assert '<option value="" selected>' in status["options"]
    assert "_form" in vars(filters)
