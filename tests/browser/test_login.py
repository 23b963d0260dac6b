import pytest

from tests.factories import YoungPersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pa_signs_in_and_sees_their_caseload(page, sign_in, alice):
    YoungPersonFactory(pa=alice, name="Jamie Doe")
    sign_in(alice)
    assert page.get_by_role("heading", name="My caseload").is_visible()
    assert page.get_by_role("link", name="Jamie Doe").is_visible()
