"""demo.seed_documents (issue 12, items 4-7): documents, a corrected contact, a key event and a PA on duty."""

import pytest

from careleavers.models import Document, DutyDay, KeyEvent
from contacts.models import ContactCorrection
from demo import seed_documents
from tests.careleavers.helpers import days_ago, today, young_person
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_seed_writes_documents_a_correction_a_key_event_and_a_duty_day(settings, tmp_path, alice, tess):
    settings.MEDIA_ROOT = tmp_path
    people = [young_person(alice), young_person(alice)]
    ContactFactory(young_person=people[0], date=days_ago(3), method="phone", recorded_by=alice, note="Rang.")
    counts = seed_documents.seed(
        today=today(), staff_by_role_and_team={("pa", "north"): [alice], ("team_leader", "north"): [tess]},
        young_people=people)
    assert counts == {"documents": 6, "corrected contacts": 1, "key events": 1, "PAs on duty": 1}
    assert Document.objects.filter(superseded_by__isnull=False).count() == 2
    assert ContactCorrection.objects.count() == 1 and KeyEvent.objects.count() == 1
    assert DutyDay.objects.get().staff == alice
    assert {d.content_type for d in Document.objects.all()} == {"application/pdf", "image/png"}
