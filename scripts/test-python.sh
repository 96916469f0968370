#!/usr/bin/env bash
# The Python binding's tests, as a user would run them: a venv made from Debian's interpreter,
# `pip install .` with build isolation on and no package index (the in-tree PEP 517 backend drives
# CMake), then pytest on bindings/python/tests (including the slow wheel check). Extra arguments
# go to pytest. Exits non-zero on any failure, and when pytest collects no tests (exit 5).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${AUTHP_PYTHON:-/usr/bin/python3}
VENV=${AUTHP_VENV:-.venv}

if [ ! -x "$VENV/bin/python" ]; then
  echo "== creating $VENV from $PYTHON (with system site-packages: pytest, Flask, Django, DRF, Starlette, uvicorn, httpx)"
  "$PYTHON" -m venv --system-site-packages "$VENV"
fi

echo "== pip install . (build isolation on, no index)"
PIP_NO_INDEX=1 "$VENV/bin/python" -m pip install --force-reinstall --no-deps . 

echo "== pytest bindings/python/tests"
status=0
"$VENV/bin/python" -m pytest bindings/python/tests -p no:cacheprovider -ra "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "test-python.sh: pytest collected no tests" >&2
  exit 1
fi
exit "$status"
