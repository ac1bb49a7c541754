#!/usr/bin/env bash
# Install the pinned dependencies into .venv, check the data, and start the app (streamlit run app.py).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements.txt
.venv/bin/python -m geo.validate
exec .venv/bin/streamlit run app.py "$@"
