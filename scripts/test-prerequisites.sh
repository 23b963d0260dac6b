#!/usr/bin/env bash
# Installs what the test suite needs beyond Python packages, where this machine allows it:
# Debian's Chromium for the browser tests. Without it (and without root) the browser tests
# skip, except under CI=true, where they fail.
set -u
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser tests..."
    (apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1; }) \
      || echo "Could not install chromium: browser tests will skip (and fail under CI=true)."
  else
    echo "chromium is not installed: browser tests will skip (and fail under CI=true)."
  fi
fi
exit 0
