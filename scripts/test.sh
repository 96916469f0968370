#!/usr/bin/env bash
# Quick start, part two: the whole test suite (what CI runs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh

echo "== format check"
bash scripts/check-format.sh

echo "== ctest: unit, C API (+ valgrind), headers, CLI, install, examples, DRF differential"
ctest --test-dir build --output-on-failure -j2

echo "== AddressSanitizer + UndefinedBehaviorSanitizer: unit and C API tests"
cmake -S . -B build-asan -DAUTHP_SANITIZE=address,undefined -DAUTHP_WERROR=ON -DCMAKE_BUILD_TYPE=Debug \
  -DAUTHP_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j2 --target authp_unit_tests authp_capi_tests
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
  ctest --test-dir build-asan --output-on-failure -R '^(unit|capi)$'

echo "== python binding"
bash scripts/test-python.sh

echo "== node binding"
AUTHP_NO_BUILD=1 bash scripts/test-node.sh build

echo "== go binding"
AUTHP_NO_BUILD=1 bash scripts/test-go.sh build
echo "== all test suites passed"
