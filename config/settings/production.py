"""Production: every secret and host from the environment; refuses to start without them, or with a weak key.

`DJANGO_SETTINGS_MODULE=config.settings.production python manage.py check --deploy --fail-level WARNING`
passes with the environment documented in .env.example (CI runs it)."""

from email.utils import getaddresses

import environ

from .base import *  # noqa: F403
from .base import LOGGING, SECRET_KEY, TRUSTED_PROXY, env

DEBUG = False

WEAK_KEY_WORDS = ("insecure", "not-secret", "change")
KEY_MIN_LENGTH, KEY_MIN_DISTINCT = 50, 5  # Django's own check (security.W009) asks for the same
_weak_key = (
    len(SECRET_KEY) < KEY_MIN_LENGTH
    or len(set(SECRET_KEY)) < KEY_MIN_DISTINCT
    or any(word in SECRET_KEY.lower() for word in WEAK_KEY_WORDS)
)
if _weak_key:
    raise environ.ImproperlyConfigured(
        "SECRET_KEY is weak or a placeholder: use 50 or more random characters, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(64))'"
    )
if not ALLOWED_HOSTS:  # noqa: F405
    raise environ.ImproperlyConfigured("ALLOWED_HOSTS must be set in production")

# Two-factor sign-in for everyone, whatever the environment says.
OTP_REQUIRED = True

# HTTPS. X-Forwarded-Proto is believed only from a reverse proxy we run (docker-compose.yml: caddy),
# which sets it itself; otherwise anyone could claim https. The same flag makes django-axes read the
# client's address from X-Forwarded-For (accounts.ip).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SESSION_COOKIE_HTTPONLY = True

STORAGES = {
    "default": DOCUMENT_STORAGE_BACKEND,  # noqa: F405  (issue 12, item 4: local files or S3, by DOCUMENT_STORAGE)
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Errors: e-mailed to ADMINS ("Name <address>, ..."), or to Sentry when SENTRY_DSN is set and sentry-sdk
# is installed (it is not a dependency of the image).
ADMINS = getaddresses(env.list("ADMINS", default=[]))
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)  # noqa: F405
EMAIL_SUBJECT_PREFIX = env("EMAIL_SUBJECT_PREFIX", default="[Leaving care] ")
LOGGING = {
    **LOGGING,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        **LOGGING["handlers"],
        "mail_admins": {"class": "django.utils.log.AdminEmailHandler", "level": "ERROR", "filters": ["require_debug_false"]},
    },
    "loggers": {"django.request": {"handlers": ["console", "mail_admins"] if ADMINS else ["console"], "level": "ERROR",
                                   "propagate": False}},
}
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    try:
        import sentry_sdk
    except ImportError as exc:
        raise environ.ImproperlyConfigured("SENTRY_DSN is set but sentry-sdk is not installed") from exc
    sentry_sdk.init(dsn=SENTRY_DSN, send_default_pii=False, environment=env("SENTRY_ENVIRONMENT", default="production"))

# Connections kept between requests (issue 16): a new PostgreSQL connection per request costs a backend's start and
# its sign-in on every page, and the pages' prepared statements (DATABASE_PREPARED) save planning only on a kept
# connection. Django checks a kept connection before a request reuses it (CONN_HEALTH_CHECKS), and Celery's Django
# fix-up closes one past its age around each task.
for _database in DATABASES.values():  # noqa: F405
    _database["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    _database["CONN_HEALTH_CHECKS"] = True
