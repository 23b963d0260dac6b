import pytest

from tests.pathway.helpers import make_young_person


@pytest.fixture
def jamie(alice):
    """alice's young person in North, 19, allocated 100 days ago: pathway review due in 82 days."""
    return make_young_person(alice, name="Jamie Doe")
