"""Session limits (idle and absolute), no caching of signed-in pages, and the content security policy."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_idle_for_longer_than_the_timeout_signs_out(client, alice, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login(client, alice)
        assert client.get(reverse("caseload")).status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert client.get(reverse("caseload")).status_code == 200  # and counts as activity
    with time_machine.travel(start + dt.timedelta(minutes=58), tick=False):
        assert client.get(reverse("caseload")).status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=89), tick=False):
        response = client.get(reverse("caseload"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    page = client.get(response.url).content.decode()
    assert "signed out after 30 minutes without activity" in page


def test_the_absolute_limit_holds_however_busy_the_session(client, alice, settings):
    settings.SESSION_COOKIE_AGE = 3600
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login(client, alice)
    for minutes in (20, 40, 59):
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("caseload")).status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=61), tick=False):
        response = client.get(reverse("caseload"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_signed_in_pages_are_never_stored(client, alice):
    response = login(client, alice).get(reverse("caseload"))
    assert "no-store" in response["Cache-Control"]


def test_every_page_carries_a_strict_content_security_policy(client, alice):
    for response in (client.get(reverse("login")), login(client, alice).get(reverse("caseload"))):
        policy = response["Content-Security-Policy"]
        for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
                          "frame-ancestors 'none'", "form-action 'self'"):
            assert directive in policy
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy
