"""Local development: SQLite by default, console e-mail, Celery tasks run in-process."""

import os

os.environ.setdefault("SECRET_KEY", "local-development-only-not-secret")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
# The demo logins sign in with a password only; the login page says so. Production always asks for a code.
os.environ.setdefault("OTP_REQUIRED", "false")

from .base import *  # noqa: F403

# Demo data and benchmark tools: never installed in production (they write synthetic young people).
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]  # noqa: F405

# runserver serves static files itself; whitenoise is for production.
MIDDLEWARE = [m for m in MIDDLEWARE if "whitenoise" not in m]  # noqa: F405
