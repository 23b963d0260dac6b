"""Personas (STYLE 7): alice is a PA in North, charlie a PA in South, tess North's Team Leader,
sol the Service Leader, hana the Head of Service."""

import pytest

from careleavers.models import Role

from .factories import StaffFactory, TeamFactory


@pytest.fixture
def north(db):
    return TeamFactory(ref="north", name="North Team")


@pytest.fixture
def south(db):
    return TeamFactory(ref="south", name="South Team")


@pytest.fixture
def alice(north):
    return StaffFactory(ref="alice", name="Alice Adams", role=Role.PA, team=north)


@pytest.fixture
def charlie(south):
    return StaffFactory(ref="charlie", name="Charlie Chen", role=Role.PA, team=south)


@pytest.fixture
def tess(north):
    return StaffFactory(ref="tess", name="Tess Turner", role=Role.TEAM_LEADER, team=north)


@pytest.fixture
def trent(south):
    return StaffFactory(ref="trent", name="Trent Taylor", role=Role.TEAM_LEADER, team=south)


@pytest.fixture
def sol(db):
    return StaffFactory(ref="sol", name="Sol Singh", role=Role.SERVICE_LEADER, team=None)


@pytest.fixture
def hana(db):
    return StaffFactory(ref="hana", name="Hana Hughes", role=Role.HEAD_OF_SERVICE, team=None)


def login(client, staff):
    client.force_login(staff.user)
    return client
