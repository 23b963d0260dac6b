"""The suite's own machinery (issue 16: the whole suite's time): what `make test` relies on to run in time."""

import pytest


@pytest.mark.xdist_group("suite-check")
def test_an_xdist_group_reaches_the_scheduler(request):
    """Under `make test` (`-n 2 --dist loadgroup`) a test marked xdist_group("name") carries "@name" in its node id,
    which is how xdist's scheduler keeps a group on one worker (tests/conftest.py, pytest_collection_modifyitems).
    Without it the tests that share a seeded demo run on both workers and seed it twice."""
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("only under --dist loadgroup (make test)")
    assert request.node.nodeid.endswith("::test_an_xdist_group_reaches_the_scheduler@suite-check")
