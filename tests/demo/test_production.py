"""The demo tools (seed_demo, generate_caseload, bench_compliance) write synthetic young people: only the
local and test settings install the `demo` app, so production's manage.py does not offer them.

Each check runs manage.py in its own process: the settings module is read once per process."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

MANAGE_PY = Path(__file__).resolve().parents[2] / "manage.py"
DEMO_COMMANDS = {"seed_demo", "generate_caseload", "bench_compliance"}
OPERATOR_COMMANDS = {"import_cases", "compliance_report"}


def manage_commands(settings_module: str, tmp_path: Path) -> set[str]:
    """The command names `manage.py help --commands` lists under these settings."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        # What production refuses to start without; none of it is read by `help`.
        "SECRET_KEY": secrets.token_urlsafe(64),  # production refuses a short or placeholder key
        "ALLOWED_HOSTS": "leaving-care.example.gov.uk",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15",
    }
    result = subprocess.run(
        [sys.executable, str(MANAGE_PY), "help", "--commands"],
        env=env,
        cwd=MANAGE_PY.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # With settings that fail to load, `help` still exits 0 but lists only Django's own commands.
    assert "not properly configured" not in result.stdout + result.stderr, result.stdout + result.stderr
    return {line.strip() for line in result.stdout.splitlines() if line.strip()}


def test_production_offers_no_demo_tools_but_the_operator_commands(tmp_path):
    commands = manage_commands("config.settings.production", tmp_path)
    assert not commands & DEMO_COMMANDS
    assert commands >= OPERATOR_COMMANDS


@pytest.mark.parametrize("settings_module", ["config.settings.local", "config.settings.test"])
def test_local_and_test_settings_offer_the_demo_tools(settings_module, tmp_path):
    commands = manage_commands(settings_module, tmp_path)
    assert commands >= DEMO_COMMANDS
    assert commands >= OPERATOR_COMMANDS
