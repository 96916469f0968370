#!/usr/bin/env bash
# Instruction-count guard (docs/performance.md, "Instruction-count guard"): counts the user-space
# instructions per decision of each hot path under callgrind, which a noisy shared machine cannot
# blur, and compares them with bench/instruction_guard/baseline.tsv.
#
#   bash scripts/perf-guard.sh                 check every path; exit 1 if one costs > 10 % over its baseline
#   bash scripts/perf-guard.sh token_warm ...  check only these paths
#   bash scripts/perf-guard.sh --update        measure every path and rewrite the baseline
#
# The baseline changes only in the commit that earns it (an optimisation, or a cost a fix has to
# pay), with the old and new counts and the reason in the commit message. Its header records the
# compiler, OpenSSL, SQLite, zlib and valgrind it was taken with; when one of them differs here the
# check prints a warning and still runs (a new compiler or OpenSSL moves counts by itself: if the
# check then fails with no code change, re-take the baseline in a commit of its own that says so).
# Builds the harness (RelWithDebInfo, in build/, or AUTHP_BUILD_DIR) first.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly TOLERANCE_PERCENT=10
readonly BASELINE=bench/instruction_guard/baseline.tsv
BUILD_DIR=${AUTHP_BUILD_DIR:-build}

update=0
paths=()
for arg in "$@"; do
  case "$arg" in
    --update) update=1 ;;
    -h | --help)
      sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    -*)
      echo "perf-guard: unknown option $arg" >&2
      exit 2
      ;;
    *) paths+=("$arg") ;;
  esac
done
if [[ $update == 1 && ${#paths[@]} -gt 0 ]]; then
  echo "perf-guard: --update measures every path (the baseline is taken in one run, on one build)" >&2
  exit 2
fi
command -v valgrind >/dev/null || {
  echo "perf-guard: valgrind not found (Debian: apt-get install valgrind)" >&2
  exit 2
}

start=$SECONDS
if [[ ! -f $BUILD_DIR/CMakeCache.txt ]]; then
  cmake -S . -B "$BUILD_DIR" -DAUTHP_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt")
if [[ $build_type != RelWithDebInfo ]]; then
  echo "perf-guard: $BUILD_DIR is a '$build_type' build; the baseline is RelWithDebInfo (set AUTHP_BUILD_DIR)" >&2
  exit 2
fi
cmake --build "$BUILD_DIR" --target authp_instruction_guard -j2 >/dev/null
harness=$BUILD_DIR/bench/instruction_guard/authp_instruction_guard

# What the counts depend on besides the code: the libraries the harness runs with and valgrind.
env_now="$("$harness" --env) valgrind=$(valgrind --version | sed 's/^valgrind-//')"
if [[ ${#paths[@]} -eq 0 ]]; then
  mapfile -t paths < <("$harness" --list | cut -f1)
fi

work=$(mktemp -d /tmp/perf-guard.XXXXXX)
trap 'rm -rf "$work"' EXIT
# The harness runs from a fixed-length path with an empty environment: the client's stack starts
# below argv and the environment, so their length shifts its alignment, and a few string and copy
# routines cost a few instructions more or less (seen: up to 55 a decision on the JWT rows).
ln -s "$(realpath "$harness")" "$work/guard"

# Instructions per decision of one path: callgrind's total over the harness's counted decisions
# (setup, warm-up and teardown run uninstrumented).
measure() {
  local path=$1 out=$work/$1.callgrind
  if ! (cd "$work" && env -i PATH=/usr/bin:/bin valgrind --tool=callgrind --instr-atstart=no \
    --callgrind-out-file="$out" ./guard "$path" >"$work/$path.stdout" 2>"$work/$path.log"); then
    echo "perf-guard: $path: the harness failed:" >&2
    tail -n 20 "$work/$path.log" >&2
    return 1
  fi
  local decisions total
  decisions=$(cut -f2 "$work/$path.stdout")
  total=$(sed -n 's/^totals: *//p' "$out")
  [[ -n $decisions && -n $total ]] || {
    echo "perf-guard: $path: no count in $out" >&2
    return 1
  }
  echo $((total / decisions))
}

declare -A now
for p in "${paths[@]}"; do
  now[$p]=$(measure "$p")
done

if [[ $update == 1 ]]; then
  {
    echo "# Instructions per decision (callgrind Ir, user space), written by: bash scripts/perf-guard.sh --update"
    echo "# commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- 2>/dev/null || echo +dirty) date=$(date -u +%Y-%m-%dT%H:%MZ) build=RelWithDebInfo"
    echo "# env: $env_now"
    printf 'path\tinstructions\n'
    for p in "${paths[@]}"; do printf '%s\t%s\n' "$p" "${now[$p]}"; done
  } >"$BASELINE"
  echo "perf-guard: wrote $BASELINE ($((SECONDS - start)) s):"
  column -t -s $'\t' < <(grep -v '^#' "$BASELINE")
  exit 0
fi

[[ -f $BASELINE ]] || {
  echo "perf-guard: no $BASELINE: take one with bash scripts/perf-guard.sh --update" >&2
  exit 1
}
env_base=$(sed -n 's/^# env: //p' "$BASELINE")
if [[ $env_base != "$env_now" ]]; then
  echo "perf-guard: warning: the baseline was taken with a different toolchain; counts may differ by that alone"
  echo "  baseline: $env_base"
  echo "  here:     $env_now"
fi
declare -A base
while IFS=$'\t' read -r p n; do
  [[ $p == \#* || $p == path || -z $p ]] && continue
  base[$p]=$n
done <"$BASELINE"

failed=0
table=$'path\tbaseline\tnow\tratio\tverdict\n'
for p in "${paths[@]}"; do
  n=${now[$p]}
  b=${base[$p]:-}
  if [[ -z $b ]]; then
    table+="$p"$'\t-\t'"$n"$'\t-\tFAIL: not in the baseline (--update in the commit that adds the path)\n'
    failed=1
    continue
  fi
  ratio=$(awk -v n="$n" -v b="$b" 'BEGIN { printf "%.3f", n / b }')
  if ((n * 100 > b * (100 + TOLERANCE_PERCENT))); then
    verdict="FAIL: more than ${TOLERANCE_PERCENT} % over the baseline"
    failed=1
  elif ((n * 100 < b * (100 - TOLERANCE_PERCENT))); then
    verdict="ok, faster: take a new baseline in the commit that earned it"
  else
    verdict=ok
  fi
  table+="$p"$'\t'"$b"$'\t'"$n"$'\t'"$ratio"$'\t'"$verdict"$'\n'
done
printf '%s' "$table" | column -t -s $'\t'
echo "perf-guard: ${#paths[@]} paths in $((SECONDS - start)) s (tolerance ${TOLERANCE_PERCENT} %, baseline $BASELINE)"
exit $failed
