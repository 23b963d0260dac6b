"""Two-factor sign-in (django-otp): TOTP with backup codes, required under OTP_REQUIRED (production)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import devices
from tests.conftest import login
from tests.factories import YoungPersonFactory

from .conftest import code_for, sign_in_with_password

pytestmark = pytest.mark.django_db


def ready_for_another_code(device) -> None:
    """Forget the wrong code's throttle (a second) and the code already used (a code works once per 30 s)."""
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.last_t = -1
    device.save()


def enrolled(staff):
    device = devices.pending_authenticator(staff.user)
    codes = devices.authenticator_confirm(user=staff.user, device=device, token=code_for(device))
    assert codes is not None
    device.refresh_from_db()
    return device, codes


def test_waived_second_factor_is_said_on_the_login_page_and_password_alone_signs_in(client, alice):
    page = client.get(reverse("login")).content.decode()
    assert "Two-factor sign-in is switched off here" in page
    response = sign_in_with_password(client, alice)
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_required_second_factor_is_not_announced_as_waived(client, second_factor_on):
    assert "switched off" not in client.get(reverse("login")).content.decode()


def test_without_an_authenticator_the_password_leads_to_enrolment_and_case_pages_wait(client, second_factor_on, alice):
    yp = YoungPersonFactory(pa=alice)
    response = sign_in_with_password(client, alice)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:enrol"))
    page = client.get(reverse("young_person", args=[yp.pk]))
    assert page.status_code == 302
    assert page.url.startswith(reverse("accounts:enrol"))
    assert yp.name not in client.get(page.url).content.decode()


def test_enrolment_shows_a_qr_code_as_an_svg_data_uri_and_the_key_to_type(client, second_factor_on, alice):
    login(client, alice)
    page = client.get(reverse("accounts:enrol")).content.decode()
    device = TOTPDevice.objects.get(user=alice.user, confirmed=False)
    assert 'src="data:image/svg+xml' in page
    assert devices.secret_text(device) in page
    assert "<script>" not in page.split("</main>")[0]


def test_enrolment_confirms_with_a_code_signs_the_second_factor_in_and_shows_backup_codes(client, second_factor_on, alice):
    yp = YoungPersonFactory(pa=alice)
    login(client, alice)
    client.get(reverse("accounts:enrol"))
    device = TOTPDevice.objects.get(user=alice.user)
    wrong = client.post(reverse("accounts:enrol"), {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert "That code did not match" in wrong.content.decode()
    ready_for_another_code(device)

    response = client.post(reverse("accounts:enrol"), {"code": code_for(device)})
    device.refresh_from_db()
    assert device.confirmed
    codes = list(StaticToken.objects.filter(device__user=alice.user).values_list("token", flat=True))
    assert len(codes) == 10
    assert all(code in response.content.decode() for code in codes)
    assert client.get(reverse("young_person", args=[yp.pk])).status_code == 200


def test_with_an_authenticator_the_password_leads_to_the_code_and_a_right_code_opens_the_page(client, second_factor_on, alice):
    device, _ = enrolled(alice)
    yp = YoungPersonFactory(pa=alice)
    next_url = reverse("young_person", args=[yp.pk])
    response = client.post(f"{reverse('login')}?next={next_url}",
                           {"username": "alice", "password": "correct horse battery", "next": next_url})
    assert response.url.startswith(reverse("accounts:verify"))
    assert client.get(next_url).url.startswith(reverse("accounts:verify"))

    refused = client.post(reverse("accounts:verify"), {"code": "12345x", "next": next_url})
    assert refused.status_code == 200
    assert "That code did not work" in refused.content.decode()
    ready_for_another_code(device)

    response = client.post(reverse("accounts:verify"), {"code": code_for(device), "next": next_url})
    assert response.status_code == 302
    assert response.url == next_url
    assert client.get(next_url).status_code == 200


def test_a_backup_code_works_once(client, second_factor_on, alice):
    _, codes = enrolled(alice)
    sign_in_with_password(client, alice)
    assert client.post(reverse("accounts:verify"), {"code": codes[0].upper()}).status_code == 302
    assert client.get(reverse("caseload")).status_code == 200

    client.logout()
    sign_in_with_password(client, alice)
    again = client.post(reverse("accounts:verify"), {"code": codes[0]})
    assert again.status_code == 200
    assert "That code did not work" in again.content.decode()


def test_someone_with_only_the_password_cannot_enrol_a_new_authenticator(client, second_factor_on, alice):
    enrolled(alice)
    sign_in_with_password(client, alice)
    response = client.get(reverse("accounts:enrol"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:verify"))
    assert TOTPDevice.objects.filter(user=alice.user).count() == 1


def test_the_admin_waits_for_the_second_factor_too(client, second_factor_on, alice):
    alice.user.is_staff = alice.user.is_superuser = True
    alice.user.save()
    login(client, alice)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:enrol"))


def test_the_admin_login_page_is_the_one_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_an_htmx_request_is_told_where_to_go(client, second_factor_on, alice):
    login(client, alice)
    response = client.get(reverse("caseload"), headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].startswith(reverse("accounts:enrol"))


def test_sign_out_works_before_the_second_factor(client, second_factor_on, alice):
    login(client, alice)
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


# --- issue 16: the session's device is checked in the query that reads the user ---------------------------------


def _verified(client, alice, device):
    """Signed in with the password and a code from `device`, on the caseload."""
    ready_for_another_code(device)  # enrolment used this period's code
    sign_in_with_password(client, alice)
    response = client.post(reverse("accounts:verify"), {"code": code_for(device), "next": reverse("caseload")})
    assert response.url == reverse("caseload")
    assert client.get(reverse("caseload")).status_code == 200


def test_a_deleted_authenticator_stops_counting_on_the_next_request(client, second_factor_on, alice):
    device, _ = enrolled(alice)
    _verified(client, alice, device)
    TOTPDevice.objects.filter(pk=device.pk).delete()
    response = client.get(reverse("caseload"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:verify"))  # the backup codes are still there to verify with
    assert "otp_device_id" not in client.session


def test_an_authenticator_no_longer_confirmed_stops_counting_on_the_next_request(client, second_factor_on, alice):
    device, _ = enrolled(alice)
    _verified(client, alice, device)
    TOTPDevice.objects.filter(pk=device.pk).update(confirmed=False)
    response = client.get(reverse("caseload"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:verify"))


def test_a_session_naming_someone_elses_device_is_not_verified(client, second_factor_on, alice, charlie):
    theirs, _ = enrolled(charlie)
    device, _ = enrolled(alice)
    _verified(client, alice, device)
    session = client.session
    session["otp_device_id"] = theirs.persistent_id
    session.save()
    assert client.get(reverse("caseload")).url.startswith(reverse("accounts:verify"))


def test_a_session_naming_no_device_model_is_not_verified(client, second_factor_on, alice):
    device, _ = enrolled(alice)
    _verified(client, alice, device)
    session = client.session
    session["otp_device_id"] = "careleavers.staff/1"
    session.save()
    assert client.get(reverse("caseload")).url.startswith(reverse("accounts:verify"))


def test_the_device_is_checked_in_the_query_that_reads_the_user(client, second_factor_on, alice, django_assert_num_queries):
    device, _ = enrolled(alice)
    _verified(client, alice, device)
    request = client.get(reverse("caseload")).wsgi_request
    assert request.user.is_verified()
    assert request.user.otp_device.pk == device.pk  # read when asked for
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("caseload")).status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert not any(s.startswith('SELECT "otp_totp_totpdevice"') for s in sql)
    assert any(s.startswith('SELECT "auth_user"') and "otp_totp_totpdevice" in s for s in sql)
