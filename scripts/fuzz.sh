#!/usr/bin/env bash
# Builds the libFuzzer targets (preset "fuzz": clang-14, ASan+UBSan, build-fuzz/) and runs each for
# FUZZ_SECONDS (default 60) starting from its checked-in seed corpus (tests/fuzz/corpus/<target>/)
# (FUZZ_SEED=N fixes libFuzzer's seed: the CI smoke run then repeats the same mutations)
# and dictionary (tests/fuzz/dict/<target>.dict, when present). Fails on any crash, leak, timeout,
# out-of-memory, oracle violation or sanitizer report; the offending input is kept in
# build-fuzz/fuzz-artifacts/<target>/ — add it to the corpus with its fix (docs/reliability.md).
#   bash scripts/fuzz.sh                              # every target, 60 s each
#   FUZZ_SECONDS=300 bash scripts/fuzz.sh fuzz_config  # some targets, longer
# New inputs go to build-fuzz/fuzz-work/<target>/ (not to the checked-in corpus); a summary table
# (executions, coverage, corpus size, peak RSS per target) is printed and saved to
# build-fuzz/fuzz-summary.txt.
#
# Campaign mode (issue 22): `bash scripts/fuzz.sh --campaign HOURS [targets…]` splits HOURS of wall
# clock evenly over the targets (fractions allowed: --campaign 0.05 is 3 minutes), runs each from its
# corpus and dictionary, merges the inputs that add coverage back into tests/fuzz/corpus/<target>/
# (-merge=1; commit them), then builds the same targets with llvm-cov instrumentation
# (build-fuzz-cov/, AUTHP_FUZZ_COVERAGE=ON), replays each merged corpus and writes per-target line
# coverage of core/, capi/ and cli/ into docs/reliability.md between the "campaign" markers.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-60}
build=${AUTHP_FUZZ_DIR:-build-fuzz}
campaign=""
if [ "${1:-}" = "--campaign" ]; then
  campaign=${2:?"--campaign needs a number of hours"}
  shift 2
fi

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
if [ -n "$campaign" ]; then
  secs=$(awk -v h="$campaign" -v n="${#targets[@]}" 'BEGIN { s = int(h * 3600 / n); print (s < 1 ? 1 : s) }')
  echo "campaign: ${campaign} h over ${#targets[@]} targets = ${secs} s each"
fi

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
  [ -n "${FUZZ_SEED:-}" ] && args+=(-seed="$FUZZ_SEED")
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
[ -n "$campaign" ] || exit $failed

# --- campaign: merge the new inputs back, then measure line coverage with llvm-cov ----------------
for t in "${targets[@]}"; do
  mkdir -p "tests/fuzz/corpus/$t"
  before=$(find "tests/fuzz/corpus/$t" -type f | wc -l)
  "$build/tests/fuzz/$t" -merge=1 -timeout=30 -rss_limit_mb=2048 -max_len=16384 \
    "tests/fuzz/corpus/$t" "$build/fuzz-work/$t" >"$build/fuzz-work/$t.merge.log" 2>&1 || failed=1
  after=$(find "tests/fuzz/corpus/$t" -type f | wc -l)
  echo "merge $t: $before -> $after corpus files"
done
cov=${AUTHP_FUZZ_COV_DIR:-build-fuzz-cov}
cmake --preset fuzz -B "$cov" -DAUTHP_FUZZ_COVERAGE=ON >/dev/null
cmake --build "$cov" -j2 --target "${targets[@]}"
llvm_cov=$(command -v llvm-cov-14 || command -v llvm-cov)
llvm_profdata=$(command -v llvm-profdata-14 || command -v llvm-profdata)
table="$cov/coverage.md"
{
  echo "| target | corpus files | line coverage of core/, capi/, cli/ (llvm-cov) |"
  echo "|---|---:|---:|"
} >"$table"
for t in "${targets[@]}"; do
  rm -f "$cov/$t".*.profraw
  LLVM_PROFILE_FILE="$cov/$t.%p.profraw" "$cov/tests/fuzz/$t" -runs=0 "tests/fuzz/corpus/$t" \
    >"$cov/$t.replay.log" 2>&1 || failed=1
  "$llvm_profdata" merge -sparse "$cov/$t".*.profraw -o "$cov/$t.profdata"
  line=$("$llvm_cov" report "$cov/tests/fuzz/$t" -instr-profile="$cov/$t.profdata" \
           "$PWD/core" "$PWD/capi" "$PWD/cli" 2>/dev/null | awk '/^TOTAL/ { print $(NF-3) }')
  files=$(find "tests/fuzz/corpus/$t" -type f | wc -l)
  echo "| $t | $files | ${line:-?} |" | tee -a "$table"
done
# docs/reliability.md keeps the latest table between the markers.
awk -v table="$table" -v when="$(date -u '+%Y-%m-%d %H:%M UTC'), ${campaign} h, ${secs} s per target" '
  /<!-- campaign:begin -->/ { print; print ""; print "Last campaign: " when "."; print "";
                              while ((getline l < table) > 0) print l; print ""; skip = 1; next }
  /<!-- campaign:end -->/ { skip = 0 }
  !skip { print }' docs/reliability.md >"$cov/reliability.md" && mv "$cov/reliability.md" docs/reliability.md
echo "coverage: $table (also in docs/reliability.md)"
exit $failed
