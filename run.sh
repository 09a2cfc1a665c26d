#!/usr/bin/env bash
# Set up (first run only) and start everything on this machine: SQLite, the bundled Redis, a worker
# running two jobs at once, the demo line and the web app. The demo login is printed when it is ready.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh requirements.txt
exec .venv/bin/flask --app app run-local "$@"
