#!/usr/bin/env bash
# Builds the benchmarks (Release, in build-bench/) and runs the suite the way docs/performance.md
# reports it: 5 repetitions, aggregates only; JSON goes to build-bench/bench.json.
#   bench/run.sh                                   # whole suite (about 2 minutes, plus ~20 s of fixture)
#   bench/run.sh --benchmark_filter='Token'        # extra arguments go to the benchmark binary
#   CMAKE_ARGS='-DAUTHP_WERROR=ON' bench/run.sh    # extra configure options
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC2086  # CMAKE_ARGS is a list of options
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release ${CMAKE_ARGS:-} >/dev/null
cmake --build build-bench --target authp_bench -j2
echo "host: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
exec build-bench/bench/authp_bench \
  --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true \
  --benchmark_out=build-bench/bench.json \
  --benchmark_out_format=json \
  "$@"
