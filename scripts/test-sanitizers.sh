#!/usr/bin/env bash
# Sanitizer stages of the test suite (docs/reliability.md), configured from CMakePresets.json:
#   asan  ASan+UBSan (preset asan-ubsan, build-asan/): the unit and C API tests, both stress
#         programs (concurrency stress for AUTHP_STRESS_SECONDS, default 20 here; fault injection)
#         and `authpolicy decide --batch` under AUTHP_BATCH_MUTATIONS mutated requests (20,000).
#   tsan  TSan (preset tsan, build-tsan/): the unit tests about threads and concurrency
#         (doctest filter below) and the concurrency stress; any report fails the stage.
# Usage: bash scripts/test-sanitizers.sh [asan|tsan|all]   (default all)
# AUTHP_ASAN_DIR / AUTHP_TSAN_DIR put a stage's build elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
stage=${1:-all}
asan_dir=${AUTHP_ASAN_DIR:-build-asan}
tsan_dir=${AUTHP_TSAN_DIR:-build-tsan}
stress_seconds=${AUTHP_STRESS_SECONDS:-20}

# The unit tests that exercise threads or processes (doctest -tc wildcards, case-insensitive).
tsan_filter='*thread*,*concurren*,*processes*'

if [ "$stage" = all ] || [ "$stage" = asan ]; then
  echo "== AddressSanitizer + UndefinedBehaviorSanitizer: unit, C API, stress (${stress_seconds} s), faults"
  cmake --preset asan-ubsan -B "$asan_dir" >/dev/null
  cmake --build "$asan_dir" -j2 --target authp_unit_tests authp_capi_tests authp_stress_concurrency authp_stress_faults \
    authpolicy_cli
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 AUTHP_STRESS_SECONDS=$stress_seconds \
    ctest --test-dir "$asan_dir" --output-on-failure -R '^(unit|capi|stress_concurrency|stress_faults)$'
  # The library and the CLI under the mutation fuzzer of `decide --batch` (tests/fuzz/batch_mutation.py).
  echo "== ASan+UBSan: decide --batch under ${AUTHP_BATCH_MUTATIONS:-20000} mutated requests"
  /usr/bin/python3 tests/fuzz/batch_mutation.py --cli "$asan_dir/cli/authpolicy" --count "${AUTHP_BATCH_MUTATIONS:-20000}"
fi

if [ "$stage" = all ] || [ "$stage" = tsan ]; then
  echo "== ThreadSanitizer: concurrency unit tests and the concurrency stress (${stress_seconds} s)"
  cmake --preset tsan -B "$tsan_dir" >/dev/null
  cmake --build "$tsan_dir" -j2 --target authp_unit_tests authp_stress_concurrency
  # Suppressions name third-party frames only (tests/stress/tsan.supp explains each one).
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:report_signal_unsafe=0:suppressions=$PWD/tests/stress/tsan.supp"
  "$tsan_dir/tests/unit/authp_unit_tests" --test-case="$tsan_filter" --duration=true
  "$tsan_dir/tests/stress/authp_stress_concurrency" "$stress_seconds"
fi
echo "== sanitizers: no report"
