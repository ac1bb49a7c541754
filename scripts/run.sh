#!/usr/bin/env bash
# Install the pinned dependencies into .venv, check the data, and start the app (python -m components.serve: streamlit run app.py with its data loaded first).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements.txt
.venv/bin/python -m geo.validate
exec .venv/bin/python -m components.serve "$@"
