#!/usr/bin/env bash
# Quick start, part one: install, build, and show real decisions on the embedded SQLite store.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
exec bash examples/demo/demo.sh build/cli/authpolicy
