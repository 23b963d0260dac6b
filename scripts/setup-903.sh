#!/usr/bin/env bash
# Creates .venv-903, the virtual environment of the DfE SSDA903 validator (csc-validator-be-903,
# import name lac_validator). It pins pandas<2 and numpy<1.25, so it never goes into the
# application's .venv. Idempotent: a venv that already has the pinned version is left as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="0.1.17"
PYTHON="${PYTHON:-python3}"
VENV=".venv-903"
STAMP="$VENV/.installed-$VERSION"

if [ -f "$STAMP" ] && "$VENV/bin/python" -c "import lac_validator" >/dev/null 2>&1; then
  exit 0
fi
test -x "$VENV/bin/python" || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "csc-validator-be-903==$VERSION"
"$VENV/bin/python" -c "import lac_validator.rules.lac2025_26"
rm -f "$VENV"/.installed-*
touch "$STAMP"
