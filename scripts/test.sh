#!/usr/bin/env bash
# Quick start, part two: the whole test suite (what CI runs).
set -euo pipefail
cd "$(dirname "$0")/.."
# Each stage says when it starts (minutes since the start): CI has a time budget (docs/reliability.md).
stage() { printf '== [%d:%02d] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }

stage "installing the dependencies"
bash scripts/install-deps.sh
stage "building (RelWithDebInfo, warnings are errors)"
bash scripts/build.sh

stage "format check"
bash scripts/check-format.sh

# PostgreSQL for the directory tests (tests/postgres, docs/postgresql.md): a throwaway cluster on
# a Unix socket and 127.0.0.1, stopped and removed on exit, even when a stage fails.
stage "PostgreSQL: a throwaway cluster (initdb + pg_ctl as the postgres user)"
pg_dir=$(mktemp -d /tmp/authp-pg-XXXXXX)
trap 'bash scripts/pg-cluster.sh stop "$pg_dir" >/dev/null 2>&1 || true' EXIT
eval "$(bash scripts/pg-cluster.sh start "$pg_dir")"
export AUTHP_TEST_PG_URL AUTHP_TEST_PG_SOCKET_URL AUTHP_TEST_PG_BIN AUTHP_TEST_PG_DATA

stage "ctest: unit, C API (+ valgrind), headers, CLI, install, examples, PyJWT, DRF/Django differential, stress, PostgreSQL"
ctest --test-dir build --output-on-failure -j2

stage "instruction-count guard: hot paths under callgrind vs bench/instruction_guard/baseline.tsv (docs/performance.md)"
bash scripts/perf-guard.sh

stage "sanitizers: ASan+UBSan (unit, C API, stress, faults) and TSan (concurrency tests, stress)"
bash scripts/test-sanitizers.sh

# A smoke run with a fixed seed, so that a submission's CI repeats what was run before it;
# exploring is the campaign's job (scripts/fuzz.sh --campaign, docs/reliability.md).
stage "fuzzing: every libFuzzer target for FUZZ_SECONDS (CI: 15 s each, seed FUZZ_SEED=1; docs/reliability.md)"
FUZZ_SECONDS=${FUZZ_SECONDS:-15} FUZZ_SEED=${FUZZ_SEED:-1} bash scripts/fuzz.sh

stage "python binding"
bash scripts/test-python.sh

stage "node binding"
AUTHP_NO_BUILD=1 bash scripts/test-node.sh build

stage "go binding"
AUTHP_NO_BUILD=1 bash scripts/test-go.sh build
stage "all test suites passed"
