"""Issue 16: a gunicorn worker loads the URL configuration, and so every view, as it starts (config.wsgi), so its
first request (a download's first byte among them) does not wait for those imports."""

import os
import subprocess  # nosec B404  (this interpreter, fixed arguments)
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VIEWS = ("casework.views", "oversight.views", "returns.views")
PROBE = f"import sys, config.wsgi; print(sorted(m for m in {VIEWS!r} if m in sys.modules))"


def test_the_wsgi_application_has_loaded_the_views_before_its_first_request():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,  # nosec B603
                         check=True, timeout=120).stdout
    assert out.strip() == str(list(VIEWS))


#: The views' modules are frozen with what loaded them; what a request makes later is not.
FREEZE_PROBE = ("import gc, config.wsgi, oversight.views; frozen = gc.get_freeze_count(); "
                "print(frozen > 10000, gc.is_tracked(oversight.views.__dict__), len(gc.get_objects()) < frozen)")


def test_the_worker_moves_what_it_has_loaded_out_of_the_collectors_reach():
    """Issue 16: gc.freeze in config.wsgi: a full collection walks what requests made, not every module and class."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", FREEZE_PROBE], cwd=ROOT, env=env, capture_output=True, text=True,  # nosec B603
                         check=True, timeout=120).stdout
    assert out.split() == ["True", "True", "True"]
