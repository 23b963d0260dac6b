"""Personas (STYLE 7): alice is a PA in North, charlie a PA in South, tess North's Team Leader,
sol the Service Leader, hana the Head of Service."""

import fcntl
from contextlib import contextmanager

import pytest

from careleavers.models import Role

from .factories import StaffFactory, TeamFactory

# The whole suite's time (issue 16): on PostgreSQL under xdist, migrate once and clone the result for each worker.


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """`--dist loadgroup` (make test): each test marked `xdist_group(name)` goes to the worker of its group.

    xdist marks the group by appending `@name` to the test's node id on the worker (xdist.remote), and the
    scheduler reads it there. xdist 3.8 writes `item._nodeid`, which pytest 9 no longer reads (the id is
    `item._id`), so every group was ignored: the tests that share a seeded demo (tests/seeded.py) ran on both workers
    and each seeded it again (the full demo twice). Here the suffix is written where pytest 9 keeps the id, unless
    xdist already did (tests/test_suite_setup.py checks it)."""
    if not getattr(config.option, "loadgroup", False):  # set on xdist's workers under --dist loadgroup
        return
    from _pytest.nodeid import NodeId

    for item in items:
        names = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                        for m in item.iter_markers("xdist_group")})
        suffix = "@" + "_".join(names)
        if names and not item.nodeid.endswith(suffix) and isinstance(getattr(item, "_id", None), NodeId):
            item._id = NodeId.parse(item.nodeid + suffix)  # noqa: SLF001  (where pytest 9 keeps the node id)


@contextmanager
def _locked(path):
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
    tmp_path_factory,
):
    """pytest-django's django_db_setup, except on PostgreSQL under xdist: there the first worker to get here runs the
    migrations once into a template database (`test_<name>_template`) and every worker, that one included, gets its
    own database (`test_<name>_gw0`, ...) as `CREATE DATABASE ... TEMPLATE` of it. The migrations (their RunSQL
    triggers and functions included) run exactly as before, once instead of once per worker (about 43 s of CPU each).
    Everywhere else (SQLite, no xdist, --reuse-db, --nomigrations, several aliases) nothing changes."""
    from django.conf import settings
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    verbosity = request.config.option.verbose
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    worker = getattr(request.config, "workerinput", {}).get("workerid")
    keepdb = django_db_keepdb and not django_db_createdb
    default = connections["default"]
    cloned = (
        worker is not None
        and default.vendor == "postgresql"
        and django_db_use_migrations
        and not django_db_keepdb
        and set(settings.DATABASES) == {"default"}
    )
    if not cloned:
        if not django_db_use_migrations:
            _disable_migrations()
        with django_db_blocker.unblock():
            db_cfg = setup_databases(verbosity=verbosity, interactive=False, aliases=aliases,
                                     serialized_aliases=serialized_aliases, keepdb=keepdb)
            # Django probes SQLite's JSON support once per connection, in the first query that needs it (a SAVEPOINT
            # and a SELECT JSON(...)): probed here, so that a query-count pin does not depend on which test runs first.
            for alias in aliases:
                assert connections[alias].features.supports_json_field is not None
        yield
        if not django_db_keepdb:
            with django_db_blocker.unblock():
                teardown_databases(db_cfg, verbosity=verbosity)
        return

    run_dir = tmp_path_factory.getbasetemp().parent  # shared by this run's workers
    original_name = default.settings_dict["NAME"]
    worker_name = default.settings_dict["TEST"]["NAME"]  # test_<name>_gw0 (pytest-django's xdist suffix)
    template = worker_name.removesuffix(f"_{worker}") + "_template"
    quote = default.ops.quote_name
    with django_db_blocker.unblock(), _locked(run_dir / "django_db_template.lock"):
        ready = run_dir / "django_db_template.ready"
        if not ready.exists():
            default.settings_dict["TEST"]["NAME"] = template
            default.creation.create_test_db(verbosity=verbosity, autoclobber=True, serialize=False)
            default.close()
            ready.write_text(template)
        default.close()
        with default.creation._nodb_cursor() as cursor:  # noqa: SLF001  (Django's own way to reach the server)
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(worker_name)}")
            cursor.execute(f"CREATE DATABASE {quote(worker_name)} TEMPLATE {quote(template)}")
        settings.DATABASES["default"]["NAME"] = worker_name
        default.settings_dict["NAME"] = worker_name
        default.settings_dict["TEST"]["NAME"] = worker_name
        if "default" in serialized_aliases:
            default._test_serialized_contents = default.creation.serialize_db_to_string()  # noqa: SLF001
        # The last worker to clone drops the template (a run cut short leaves it for the next run to replace).
        cloned_by = run_dir / "django_db_template.cloned"
        count = int(cloned_by.read_text() or 0) + 1 if cloned_by.exists() else 1
        cloned_by.write_text(str(count))
        if count == request.config.workerinput["workercount"]:
            with default.creation._nodb_cursor() as cursor:  # noqa: SLF001
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(template)}")
    yield
    with django_db_blocker.unblock():
        default.creation.destroy_test_db(original_name, verbosity=verbosity, keepdb=False)


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
