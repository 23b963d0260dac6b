"""Production settings in a subprocess: `check --deploy --fail-level WARNING` and `collectstatic` pass with
the documented environment (.env.example); a weak SECRET_KEY is refused; the proxy header only when trusted."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def production_env(tmp_path, **overrides) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECRET_KEY", "ALLOWED_HOSTS", "TRUSTED_PROXY",
                                                                  "DATABASE_URL", "STATIC_ROOT", "OTP_", "DEBUG"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "leavingcare.example.gov.uk",
        "CSRF_TRUSTED_ORIGINS": "https://leavingcare.example.gov.uk",
        "ADMINS": "Service Desk <servicedesk@example.gov.uk>",
        "STATIC_ROOT": str(tmp_path / "static"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    })
    env.update(overrides)
    return env


def manage(tmp_path, *args, **overrides) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=production_env(tmp_path, **overrides),
                          capture_output=True, text=True, timeout=300, check=False)


def test_check_deploy_passes_at_warning_level(tmp_path):
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_passes_behind_a_trusted_proxy(tmp_path):
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", TRUSTED_PROXY="true")
    assert result.returncode == 0, result.stdout + result.stderr


def test_collectstatic_passes_with_the_manifest_storage(tmp_path):
    result = manage(tmp_path, "collectstatic", "--no-input")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()


@pytest.mark.parametrize("key", ["short", "django-insecure-" + "x" * 60, "change-me-to-a-long-random-string" * 2,
                                 "test-only-not-secret" * 3, "a" * 60])
def test_a_weak_secret_key_is_refused_at_start(tmp_path, key):
    result = manage(tmp_path, "check", SECRET_KEY=key)
    assert result.returncode != 0
    assert "SECRET_KEY is weak" in result.stderr


def settings_value(tmp_path, name: str, **overrides) -> str:
    code = f"from django.conf import settings; print(repr(settings.{name}))"
    result = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=ROOT,
                            env=production_env(tmp_path, **overrides), capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_forwarded_proto_header_is_believed_only_behind_a_trusted_proxy(tmp_path):
    assert settings_value(tmp_path, "SECURE_PROXY_SSL_HEADER") == "None"
    assert settings_value(tmp_path, "SECURE_PROXY_SSL_HEADER", TRUSTED_PROXY="true") == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_production_requires_the_second_factor_whatever_the_environment_says(tmp_path):
    assert settings_value(tmp_path, "OTP_REQUIRED", OTP_REQUIRED="false") == "True"


def test_errors_are_mailed_to_admins(tmp_path):
    assert "servicedesk@example.gov.uk" in settings_value(tmp_path, "ADMINS")
    assert "mail_admins" in settings_value(tmp_path, "LOGGING['loggers']['django.request']['handlers']")
