"""Issue 14 item 11: future or absurd dates in the dashboard filters are a form error, never a 500."""

import pytest
from django.urls import reverse

from tests.conftest import login
from tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db

FUTURE = [{"date_from": "2090-01-01"}, {"date_to": "2090-01-01"}, {"date_from": "2090-01-01", "date_to": "2095-01-01"}]
ABSURD = [
    {"date_from": "9999-12-31"},
    {"date_to": "9999-12-31"},
    {"date_from": "0001-01-01"},
    {"date_from": "2026-13-45"},
    {"date_from": "2026-03-01", "date_to": "2020-01-01"},
]
DASHBOARDS = {"oversight:team": "tess", "oversight:service": "sol", "oversight:head": "hana"}
EXPORTS = {"oversight:team": "team-items", "oversight:service": "service-trend", "oversight:head": "head-by-team"}


@pytest.fixture
def caseload(alice, charlie):
    YoungPersonFactory(pa=alice)
    YoungPersonFactory(pa=charlie)


@pytest.mark.parametrize("name", list(DASHBOARDS))
@pytest.mark.parametrize("params", ABSURD)
def test_o1_absurd_filter_dates_are_a_form_error(client, request, caseload, name, params):
    login(client, request.getfixturevalue(DASHBOARDS[name]))
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    assert response.context["form"].errors


@pytest.mark.parametrize("name", ["oversight:service", "oversight:head"])
@pytest.mark.parametrize("params", FUTURE)
def test_o1_trend_dashboards_refuse_future_dates(client, request, caseload, name, params):
    login(client, request.getfixturevalue(DASHBOARDS[name]))
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    assert "The dashboards show the past" in response.content.decode()


def test_o1_team_dashboard_still_filters_on_future_due_dates(client, tess, caseload):
    login(client, tess)
    response = client.get(reverse("oversight:team"), {"date_from": "2027-01-01", "date_to": "2027-12-31"})
    assert response.status_code == 200 and not response.context["form"].errors


@pytest.mark.parametrize("name", list(DASHBOARDS))
@pytest.mark.parametrize("params", FUTURE + ABSURD)
def test_o1_exports_with_bad_dates_never_500(client, request, caseload, name, params):
    client.raise_request_exception = False
    login(client, request.getfixturevalue(DASHBOARDS[name]))
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("oversight:export", args=[EXPORTS[name], fmt]), params)
        assert response.status_code < 500
