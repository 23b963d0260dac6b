"""The database session engines (issue 16): Django's, their read compiled once per process
(accounts.session_engines). The same sessions are read, expired and unknown ones as Django's."""

import datetime as dt
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.backends import cached_db as django_cached_db
from django.contrib.sessions.backends import db as django_db
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.session_engines import _compiled
from accounts.session_engines import cached_db as our_cached_db
from accounts.session_engines import db as our_db

pytestmark = pytest.mark.django_db

ENGINES = [(our_db.SessionStore, django_db.SessionStore), (our_cached_db.SessionStore, django_cached_db.SessionStore)]


def test_the_settings_name_these_engines():
    assert settings.SESSION_ENGINE in ("accounts.session_engines.db", "accounts.session_engines.cached_db")
    assert issubclass(import_module(settings.SESSION_ENGINE).SessionStore, django_db.SessionStore)


def _saved(store_class, **data):
    store = store_class()
    store.update(data)
    store.create()
    return store.session_key


@pytest.mark.parametrize(("ours", "djangos"), ENGINES)
def test_a_session_reads_as_djangos_reads_it(ours, djangos):
    key = _saved(djangos, answer=42, name="alice")
    with CaptureQueriesContext(connection) as queries:
        read = ours(key).load()
    assert read == djangos(key).load() == {"answer": 42, "name": "alice"}
    assert len(queries) <= 1  # one query (none if the cache answered)


@pytest.mark.parametrize(("ours", "djangos"), ENGINES)
def test_an_expired_or_unknown_session_is_empty_and_forgets_its_key(ours, djangos):
    key = _saved(djangos, answer=42)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    for session_key in (key, "x" * 32):
        store = ours(session_key)
        store._cache.clear() if hasattr(store, "_cache") else None  # noqa: SLF001  (a miss: read the database)
        assert store.load() == {}
        assert store.session_key is None  # as Django's: a new key on the next save


def test_the_database_read_is_the_same_session_row():
    key = _saved(django_db.SessionStore, answer=42)
    found = our_db.SessionStore(key)._get_session_from_db()  # noqa: SLF001
    expected = Session.objects.get(session_key=key)
    assert (found.session_key, found.session_data, found.expire_date) == (
        expected.session_key,
        expected.session_data,
        expected.expire_date,
    )


def test_the_read_is_compiled_once_on_postgresql_only():
    compiled = _compiled(Session, "default")
    if connection.vendor != "postgresql":
        assert compiled is None  # Django's own read
        return
    _, order, _, _ = compiled
    assert sorted(order) == ["key", "when"]
    key = _saved(django_db.SessionStore, answer=42)
    with CaptureQueriesContext(connection) as queries:
        assert our_db.SessionStore(key).load() == {"answer": 42}
    assert len(queries) == 1
    assert key in queries[0]["sql"] and '"django_session"' in queries[0]["sql"]
