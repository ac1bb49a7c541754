#!/usr/bin/env bash
# Install everything the tests need, check lint, format and types, then run the whole suite (the map
# script's Node unit tests, then unit, AppTest and real-browser tests).
# The browser tests drive Debian's Chromium (/usr/bin/chromium) and the deployment tests Debian's nginx
# (deploy/); this script installs what is missing with apt-get when it can (root on Debian). Without them
# those tests are skipped, unless REQUIRE_BROWSER=1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements-test.txt
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium fonts-dejavu-core)
# The tests run their own nginx on free loopback ports; on a machine with systemd, Debian also starts its
# nginx service (port 80) after installing it, which they do not use.
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx-light)
if [ "${#missing[@]}" -gt 0 ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "Installing Debian's ${missing[*]} for the browser and deployment tests…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
echo "Lint, format and type checks (ruff, mypy)…"
.venv/bin/ruff check --quiet .
.venv/bin/ruff format --check --quiet .
.venv/bin/mypy --no-error-summary
AXE_CORE_VERSION=4.14.1  # the accessibility check's engine, from the npm registry (tests/browser/test_accessibility_browser.py)
if command -v npm >/dev/null 2>&1 && [ ! -f ".cache/npm/node_modules/axe-core/package.json" ]; then
  echo "Installing axe-core ${AXE_CORE_VERSION} for the accessibility check…"
  npm install --no-save --no-audit --no-fund --silent --prefix .cache/npm "axe-core@${AXE_CORE_VERSION}" >/dev/null
fi
if command -v node >/dev/null 2>&1; then
  echo "The map script's unit tests (node --test)…"
  node --test geo/web/tests
elif [ -n "${REQUIRE_NODE:-}" ]; then
  echo "REQUIRE_NODE is set but node was not found" >&2
  exit 1
else
  echo "node not found: skipping the map script's unit tests"
fi
.venv/bin/python -m geo.validate
exec .venv/bin/python -m pytest -q --timeout=600 "$@"
