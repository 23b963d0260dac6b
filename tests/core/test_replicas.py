"""Issue 16: dashboards and exports read from a replica alias when one is configured; writes and every
other read stay on default."""

import pytest
from django.test import override_settings

from careleavers.models import YoungPerson
from core.models import AuditEvent
from core.replicas import ReplicaRouter, reads_from_replica, replica_reads
from oversight import views as oversight_views

ROUTER = ReplicaRouter()


def test_reads_go_to_the_replica_only_inside_replica_reads_and_only_when_it_exists(settings):
    with override_settings(DATABASES={**settings.DATABASES, "replica": {**settings.DATABASES["default"]}}):
        assert ROUTER.db_for_read(YoungPerson) is None  # a caseload, a record: the primary
        with replica_reads():
            assert ROUTER.db_for_read(YoungPerson) == "replica"
            assert ROUTER.db_for_write(AuditEvent) == "default"  # the audit of a dashboard view
        assert ROUTER.db_for_read(YoungPerson) is None
    with replica_reads():
        assert ROUTER.db_for_read(YoungPerson) is None  # no replica configured: nothing changes


def test_only_default_is_migrated():
    assert ROUTER.allow_migrate("default", "careleavers")
    assert not ROUTER.allow_migrate("replica", "careleavers")


def test_the_dashboards_and_exports_ask_for_the_replica(settings):
    seen = []

    @reads_from_replica
    def view():
        seen.append(ROUTER.db_for_read(YoungPerson))

    with override_settings(DATABASES={**settings.DATABASES, "replica": {**settings.DATABASES["default"]}}):
        view()
    assert seen == ["replica"]
    for name in ("team_dashboard", "service_dashboard", "head_dashboard", "export"):
        assert getattr(oversight_views, name).__wrapped__.__wrapped__.__name__ == name


@pytest.mark.django_db(databases=["default"])
def test_settings_route_through_the_router(settings):
    assert "core.replicas.ReplicaRouter" in settings.DATABASE_ROUTERS
