"""X1: our files pass the DfE's own SSDA903 rules (csc-validator-be-903, rule set lac2025_26).

The validator lives in .venv-903 (scripts/setup-903.sh, run by `make test`): it pins pandas<2, so
it runs in a subprocess with that environment's Python. Which failures count as ours is decided,
and documented, in returns/validator/run_903.py.
"""

import csv
import json
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from returns.exports import build_returns
from tests.services import require

from .data import YEAR, realistic_caseload

PYTHON = Path(settings.BASE_DIR) / ".venv-903" / "bin" / "python"
RUNNER = Path(settings.BASE_DIR) / "returns" / "validator" / "run_903.py"


def validate(directory: Path, year: int = YEAR) -> dict:
    require(PYTHON.exists(), ".venv-903 with csc-validator-be-903 (bash scripts/setup-903.sh)")
    done = subprocess.run([str(PYTHON), str(RUNNER), "--year", str(year), str(directory)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.fixture
def exported(alice, charlie, tmp_path):
    realistic_caseload(alice, charlie)
    returns = build_returns(YEAR)
    returns.write(tmp_path)
    return tmp_path, returns


def test_x1_our_files_pass_the_dfe_903_rules_for_2025_26(exported):
    directory, returns = exported
    result = validate(directory)
    assert result["ruleset"] == "lac2025_26"
    assert result["metadata"]["collection_start"] == "01/04/2025" and result["metadata"]["collection_end"] == "31/03/2026"
    # The rules on our two tables ran: codes, combinations, ages, 17th birthday, uniqueness, header/OC3 agreement.
    for rule in ("101", "102", "103", "131", "132", "133", "153", "168", "344", "345", "351", "391", "3001",
                 "INT06", "INT15", "INT32", "INT34"):
        assert rule in result["done"], rule
    assert result["ours"] == [], json.dumps(result["ours"], indent=1)
    assert len(returns.oc3) == 12  # relevant and former relevant only (CONTRACT v2, change 6)


def test_x1_the_validator_run_does_fail_on_a_broken_file(exported):
    """The check above can fail: break the OC3 file the way the DfE rules forbid and it reports ours."""
    directory, _ = exported
    path = directory / "oc3.csv"
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    rows[0].update(IN_TOUCH="YES", ACTIV="0", ACCOM="S1")   # 345 (in touch with 0), 133 (S1 is not a code)
    rows[1].update(IN_TOUCH="DIED", ACTIV="F2", ACCOM="0")  # 344 (died with an activity)
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = validate(directory)
    assert {i["rule"] for i in result["ours"]} >= {"345", "133", "344"}
