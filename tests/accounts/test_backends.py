"""The sign-in backend (issue 16): the member of staff is read with the user, and sessions signed in before it
replaced Django's ModelBackend still work."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY, authenticate
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import BACKEND, LEGACY_BACKEND, StaffModelBackend
from tests.conftest import login
from tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db


def test_get_user_reads_the_staff_record_in_the_same_query(alice, django_assert_num_queries):
    with django_assert_num_queries(1):  # the user joined to their staff record
        user = StaffModelBackend().get_user(alice.user.pk)
        assert user.staff == alice


def test_the_user_read_is_the_orms(alice, django_assert_num_queries):
    expected = type(alice.user).objects.select_related("staff").get(pk=alice.user.pk)
    with django_assert_num_queries(1):
        user = StaffModelBackend().get_user(alice.user.pk)
        assert user.staff.user is user  # both ways cached, as select_related leaves them
    assert [getattr(user, f.attname) for f in type(user)._meta.concrete_fields] == [
        getattr(expected, f.attname) for f in type(user)._meta.concrete_fields]
    assert [getattr(user.staff, f.attname) for f in type(alice)._meta.concrete_fields] == [
        getattr(alice, f.attname) for f in type(alice)._meta.concrete_fields]
    assert StaffModelBackend().get_user(10**9) is None


def test_a_user_without_a_staff_record_is_still_read(django_user_model, django_assert_num_queries):
    user = django_user_model.objects.create_user("admin-only", password="a long enough password")
    loaded = StaffModelBackend().get_user(user.pk)
    assert loaded == user
    with django_assert_num_queries(0):
        assert not hasattr(loaded, "staff")


def test_an_inactive_user_is_not_read(alice):
    alice.user.is_active = False
    alice.user.save()
    assert StaffModelBackend().get_user(alice.user.pk) is None


def test_signing_in_records_this_backend(client, alice):
    alice.user.set_password("correct horse battery")
    alice.user.save()
    client.post("/login/", {"username": alice.user.username, "password": "correct horse battery"})
    assert client.session[BACKEND_SESSION_KEY] == BACKEND
    assert authenticate(username=alice.user.username, password="wrong") is None


def test_a_session_naming_django_model_backend_stays_signed_in_and_is_carried_over(client, alice):
    """Sessions from before the backend changed (and bench_load's) name ModelBackend, which is no longer listed."""
    login(client, alice)
    session = SessionStore(session_key=client.cookies["sessionid"].value)
    session[BACKEND_SESSION_KEY] = LEGACY_BACKEND
    session.save()
    yp = YoungPersonFactory(pa=alice)
    page = client.get(reverse("young_person", args=[yp.pk]))
    assert page.status_code == 200
    assert SessionStore(session_key=client.cookies["sessionid"].value)[BACKEND_SESSION_KEY] == BACKEND


def test_a_session_naming_a_backend_not_listed_is_signed_out(client, alice):
    login(client, alice)
    session = SessionStore(session_key=client.cookies["sessionid"].value)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.AllowAllUsersModelBackend"
    session.save()
    response = client.get(reverse("caseload"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_signed_in_page_reads_user_and_staff_in_one_query(client, alice):
    login(client, alice)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("caseload"))
    sql = [q["sql"] for q in queries.captured_queries]
    assert any('FROM "auth_user" LEFT OUTER JOIN "careleavers_staff"' in s for s in sql)
    assert not any(s.startswith('SELECT "careleavers_staff"') and '"careleavers_staff"."user_id" =' in s for s in sql)
    assert SESSION_KEY in client.session
