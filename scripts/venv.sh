# Sourced by run.sh and test.sh: make .venv (Python 3.11+) and install a requirements file into it,
# skipping pip when the file has not changed since the last install.
PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)" >&2; exit 1; }
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=".venv/.installed-$(basename "$1")"
if [ ! -f "$stamp" ] || ! cmp -s "$stamp" <(cat "$@" requirements.txt); then
  .venv/bin/pip install --quiet --disable-pip-version-check -r "$1"
  cat "$@" requirements.txt > "$stamp"
fi
