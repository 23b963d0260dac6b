"""Django's `cached_db` session engine, its database read (on a cache miss) compiled once per process
(accounts.session_engines)."""

from django.contrib.sessions.backends import cached_db

from . import PreparedReadMixin


class SessionStore(PreparedReadMixin, cached_db.SessionStore):
    pass
