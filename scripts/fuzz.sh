#!/usr/bin/env bash
# Builds the libFuzzer targets (preset "fuzz": clang-14, ASan+UBSan, build-fuzz/) and runs each for
# FUZZ_SECONDS (default 60) starting from its checked-in seed corpus (tests/fuzz/corpus/<target>/)
# and dictionary (tests/fuzz/dict/<target>.dict, when present). Fails on any crash, leak, timeout,
# out-of-memory, oracle violation or sanitizer report; the offending input is kept in
# build-fuzz/fuzz-artifacts/<target>/ — add it to the corpus with its fix (docs/reliability.md).
#   bash scripts/fuzz.sh                              # every target, 60 s each
#   FUZZ_SECONDS=300 bash scripts/fuzz.sh fuzz_config  # some targets, longer
# New inputs go to build-fuzz/fuzz-work/<target>/ (not to the checked-in corpus); a summary table
# (executions, coverage, corpus size, peak RSS per target) is printed and saved to
# build-fuzz/fuzz-summary.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-60}
build=${AUTHP_FUZZ_DIR:-build-fuzz}

if [ -z "${FUZZ_NO_BUILD:-}" ]; then  # FUZZ_NO_BUILD=1: run what is already built
  cmake --preset fuzz -B "$build" >/dev/null
  cmake --build "$build" -j2 --target authp_fuzzers
fi

if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(find "$build/tests/fuzz" -maxdepth 1 -type f -name 'fuzz_*' -perm -u+x -printf '%f\n' | sort)
fi
[ ${#targets[@]} -gt 0 ] || { echo "no fuzz targets built" >&2; exit 1; }

export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
summary="$build/fuzz-summary.txt"
printf '%-24s %8s %12s %10s %8s %8s %8s %s\n' target seconds executions exec/s cov ft corpus result >"$summary"
failed=0
for t in "${targets[@]}"; do
  work="$build/fuzz-work/$t"
  artifacts="$build/fuzz-artifacts/$t"
  mkdir -p "$work" "$artifacts"
  args=(-max_total_time="$secs" -timeout=30 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1
        -artifact_prefix="$artifacts/")
  [ -f "tests/fuzz/dict/$t.dict" ] && args+=(-dict="tests/fuzz/dict/$t.dict")
  corpus=()
  [ -d "tests/fuzz/corpus/$t" ] && corpus=("tests/fuzz/corpus/$t")
  log="$build/fuzz-work/$t.log"
  echo "== $t (${secs} s)"
  start=$(date +%s)
  if "$build/tests/fuzz/$t" "${args[@]}" "$work" "${corpus[@]}" >"$log" 2>&1; then result=ok; else result=FAILED; failed=1; fi
  elapsed=$(( $(date +%s) - start ))
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || echo 0)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last"); ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  rate=$(( elapsed > 0 ? ${execs:-0} / elapsed : 0 ))
  printf '%-24s %8s %12s %10s %8s %8s %8s %s\n' "$t" "$elapsed" "${execs:-0}" "$rate" "${cov:-?}" "${ft:-?}" \
    "${corp:-?}" "$result" | tee -a "$summary"
  if [ "$result" != ok ]; then
    grep -E 'ERROR|SUMMARY|oracle violated|runtime error|Test unit written' "$log" | head -20 >&2 || true
  fi
done
echo "summary: $summary"
exit $failed
