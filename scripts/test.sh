#!/usr/bin/env bash
# Install everything the tests need, then run the whole suite (unit, AppTest and real-browser tests).
# The browser tests drive Debian's Chromium (/usr/bin/chromium); this script installs it with apt-get
# when it can (root on Debian). Without a Chromium they are skipped, unless REQUIRE_BROWSER=1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements-test.txt
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "Installing Debian's chromium for the browser tests…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi
.venv/bin/python -m geo.validate
exec .venv/bin/python -m pytest -q --timeout=600 "$@"
