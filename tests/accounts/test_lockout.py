"""Lockout (django-axes) is keyed on username and address together, so a stranger elsewhere cannot
lock someone out; a Team Leader unlocks their own team's staff, an administrator anyone."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.admin.sites import site
from django.urls import reverse

from accounts.ip import client_ip
from tests.conftest import login
from tests.factories import StaffFactory, UserFactory

from .conftest import sign_in_with_password

pytestmark = pytest.mark.django_db

STRANGER, OFFICE = "203.0.113.9", "198.51.100.20"


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    return settings


def fail(client, staff, times, ip):
    for _ in range(times):
        sign_in_with_password(client, staff, "wrong password", REMOTE_ADDR=ip)


def test_lockout_is_keyed_on_username_and_address_together():
    assert django_settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert "username" not in django_settings.AXES_LOCKOUT_PARAMETERS
    assert ["username"] not in django_settings.AXES_LOCKOUT_PARAMETERS


def test_a_stranger_elsewhere_cannot_lock_someone_out(client, axes_on, alice):
    fail(client, alice, 4, STRANGER)
    assert sign_in_with_password(client, alice, REMOTE_ADDR=STRANGER).status_code == 429
    response = sign_in_with_password(client, alice, REMOTE_ADDR=OFFICE)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.user.pk)


def test_the_locked_page_says_who_can_unlock(client, axes_on, alice):
    fail(client, alice, 3, OFFICE)
    response = sign_in_with_password(client, alice, REMOTE_ADDR=OFFICE)
    assert response.status_code == 429
    assert "ask your Team Leader" in response.content.decode()


def test_a_username_longer_than_the_column_is_a_form_error_not_a_500(client, axes_on):
    for length in (151, 256, 5000):
        response = client.post(reverse("login"), {"username": "x" * length, "password": "whatever"}, REMOTE_ADDR=OFFICE)
        assert response.status_code == 200
        assert "did not match" in response.content.decode()
    assert not AccessAttempt.objects.filter(username__startswith="xxx").exists()


def test_team_leader_unlocks_their_own_teams_staff(client, axes_on, alice, tess):
    fail(client, alice, 3, OFFICE)
    login(client, tess)
    page = client.get(reverse("accounts:unlocks")).content.decode()
    assert "alice" in page
    assert "Locked sign-ins" in page
    response = client.post(reverse("accounts:unlock", args=[alice.pk]))
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="alice").exists()
    client.logout()
    assert sign_in_with_password(client, alice, REMOTE_ADDR=OFFICE).status_code == 302


def test_team_leader_of_another_team_can_neither_see_nor_unlock(client, axes_on, alice, trent):
    fail(client, alice, 3, OFFICE)
    login(client, trent)
    assert "alice" not in client.get(reverse("accounts:unlocks")).content.decode()
    assert client.post(reverse("accounts:unlock", args=[alice.pk])).status_code == 403
    assert AccessAttempt.objects.filter(username="alice").exists()


def test_a_pa_has_no_unlock_page(client, alice, charlie):
    login(client, charlie)
    assert client.get(reverse("accounts:unlocks")).status_code == 403
    assert client.post(reverse("accounts:unlock", args=[alice.pk])).status_code == 403


def test_an_administrator_unlocks_anyone_from_the_page(client, axes_on, charlie):
    fail(client, charlie, 3, OFFICE)
    admin = StaffFactory(ref="root", role="service_leader", team=None, user=UserFactory(username="root", is_superuser=True,
                                                                                      is_staff=True))
    login(client, admin)
    assert "charlie" in client.get(reverse("accounts:unlocks")).content.decode()
    client.post(reverse("accounts:unlock", args=[charlie.pk]))
    assert not AccessAttempt.objects.filter(username="charlie").exists()


def test_the_admin_action_unlocks(client, axes_on, charlie):
    fail(client, charlie, 3, OFFICE)
    admin_user = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin_user)
    attempt = AccessAttempt.objects.get(username="charlie")
    assert "unlock" in site.get_model_admin(AccessAttempt).actions
    response = client.post(reverse("admin:axes_accessattempt_changelist"),
                           {"action": "unlock", "_selected_action": [attempt.pk]})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="charlie").exists()


def test_behind_a_trusted_proxy_the_address_is_the_one_the_proxy_added(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    settings.TRUSTED_PROXY = False
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY = True
    assert client_ip(request) == "203.0.113.9"
