"""Issue 12 (items 4-7): axe-core finds no WCAG 2.x A/AA violations on the chronology, the documents pages,
search on duty, the break-glass form and the duty rota, at 375 px (no sideways scroll) and at full width."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from careleavers.documents import document_upload
from careleavers.models import DutyDay
from contacts import services
from contacts.models import Method, Outcome
from tests.browser.test_accessibility import violations
from tests.careleavers.helpers import days_ago, today, young_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHECK = {"health_and_safety": "good", "furnishings_and_kitchen": "adequate", "occupancy": "good", "trend": "same",
         "notes": "Tidy; smoke alarm tested."}


@pytest.fixture
def record(alice, charlie, tess, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    yp = young_person(alice, name="Robin Example")
    services.contact_log(young_person=yp, actor=alice, date=days_ago(3), time=dt.time(14, 30), method=Method.HOME_VISIT,
                         outcome=Outcome.COMPLETED, note="Seen at home.", visit_check=CHECK)
    document_upload(young_person=yp, actor=alice, kind="letter", title="GP letter", dated=today(), today=today(),
                    upload=SimpleUploadedFile("gp.pdf", b"%PDF-1.4 letter"))
    other = young_person(charlie, name="Jamie Southgate")
    DutyDay.objects.create(staff=alice, date=today(), assigned_by=tess)
    return {"yp": yp, "other": other}


@pytest.mark.parametrize("width", [375, 1280])
def test_issue_12_pages_are_accessible_and_fit_a_phone(page, sign_in, alice, tess, record, width):
    page.set_viewport_size({"width": width, "height": 800})
    yp, other = record["yp"], record["other"]
    pages = [
        (alice, reverse("chronology", args=[yp.pk])),
        (alice, reverse("chronology", args=[yp.pk]) + "?kind=contact"),
        (alice, reverse("documents", args=[yp.pk])),
        (alice, reverse("document_new", args=[yp.pk])),
        (alice, reverse("search") + "?q=jamie"),
        (alice, reverse("break_glass", args=[other.pk])),
        (tess, reverse("duty_rota")),
    ]
    signed_in = None
    for who, url in pages:
        if who is not signed_in:
            sign_in(who)
            signed_in = who
        page.goto(url)
        assert violations(page) == [], url
        assert page.evaluate("document.documentElement.scrollWidth") <= width, url
