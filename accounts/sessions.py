"""The two session limits: SESSION_IDLE_TIMEOUT since the last request and SESSION_COOKIE_AGE since
sign-in. Django's own expiry slides whenever the session is saved, so the absolute limit is kept here."""

import time

from django.conf import settings

SIGNED_IN_AT = "accounts_signed_in_at"
LAST_SEEN = "accounts_last_seen"
#: Seconds between writes of LAST_SEEN: a write on every request would cost a query per page.
REFRESH_EVERY = 60


def now() -> int:
    return int(time.time())


def start_session_clocks(session) -> None:
    session[SIGNED_IN_AT] = session[LAST_SEEN] = now()


def session_expired(session) -> str | None:
    """Why the session is over ("idle" or "absolute"), or None; refreshes LAST_SEEN at most every minute."""
    signed_in_at, last_seen = session.get(SIGNED_IN_AT), session.get(LAST_SEEN)
    current = now()
    if signed_in_at is None or last_seen is None:  # a session from before these clocks existed
        start_session_clocks(session)
        return None
    if current - last_seen > settings.SESSION_IDLE_TIMEOUT:
        return "idle"
    if current - signed_in_at > settings.SESSION_COOKIE_AGE:
        return "absolute"
    if current - last_seen >= REFRESH_EVERY:
        session[LAST_SEEN] = current
    return None
