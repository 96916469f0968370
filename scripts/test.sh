#!/usr/bin/env bash
# Quick start, part two: the whole test suite (what CI runs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh

echo "== format check"
bash scripts/check-format.sh

echo "== ctest (unit, capi + valgrind, headers, cli, install, examples)"
ctest --test-dir build --output-on-failure -j2

if [ -f scripts/test-python.sh ]; then
  echo "== python binding"
  bash scripts/test-python.sh
fi
echo "== all test suites passed"
