#!/usr/bin/env bash
# Set up (first run only) and run the whole test suite. Uses DATABASE_URL / REDIS_URL when set,
# otherwise the embedded defaults. Extra arguments go to pytest (e.g. ./test.sh -k api).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh requirements-dev.txt
# Browser tests drive Debian's Chromium; install it when we can (root with apt-get).
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# Most tests wait on worker processes, lines and timeouts rather than compute: several pytest processes
# (pytest-xdist) overlap the waits. TEST_PROCESSES=0 runs in this one process.
exec .venv/bin/python -m pytest -n "${TEST_PROCESSES:-4}" "$@"
