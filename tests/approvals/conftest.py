import pytest

from careleavers.models import Accommodation
from tests.pathway.helpers import make_young_person


@pytest.fixture
def jamie(alice):
    """alice's young person in North, 19, allocated 100 days ago: pathway review due in 82 days."""
    return make_young_person(alice, name="Jamie Doe")


@pytest.fixture
def in_specialist_home(jamie):
    """D1: jamie's recorded accommodation is a specialist staffed home."""
    jamie.accommodation = Accommodation.SPECIALIST_HOME
    jamie.save()
    return jamie
