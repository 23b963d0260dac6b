"""Django's `db` session engine, its read compiled once per process (accounts.session_engines)."""

from django.contrib.sessions.backends import db

from . import PreparedReadMixin


class SessionStore(PreparedReadMixin, db.SessionStore):
    pass
