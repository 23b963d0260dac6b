"""import_bundle writes one CASES_IMPORTED event with the summary counts (core.audit)."""

import pytest

from core.models import AuditEvent, AuditKind
from interface.bundle import import_bundle

from .test_import import GOOD

pytestmark = pytest.mark.django_db


def test_import_bundle_writes_cases_imported_with_the_counts():
    summary = import_bundle(GOOD)
    event = AuditEvent.objects.get(kind=AuditKind.CASES_IMPORTED)
    assert event.actor is None
    assert event.data == {"pack": "england", "created": dict(summary.created), "updated": dict(summary.updated)}
    assert event.data["created"]["young people"] == 2
