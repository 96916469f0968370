#!/usr/bin/env bash
# Installs the Debian 12 packages the build, the demo and the tests need (idempotent).
set -euo pipefail

packages=(
  build-essential cmake pkg-config clang-format valgrind clang-14 libclang-rt-14-dev
  libssl-dev libsqlite3-dev nlohmann-json3-dev doctest-dev libcli11-dev libbenchmark-dev
  libhiredis-dev redis-server postgresql libpq-dev libargon2-dev libutf8proc-dev zlib1g-dev python3-argon2 libcurl4-openssl-dev
  python3 python3-venv python3-pip python3-pytest python3-pybind11 pybind11-dev
  python3-django python3-djangorestframework python3-flask python3-werkzeug python3-django-oauth-toolkit
  python3-starlette python3-uvicorn python3-httpx python3-pytest-asyncio
  python3-djangorestframework-simplejwt python3-djangorestframework-api-key python3-psycopg2
  python3-jwt python3-cryptography
  golang-go
  libboost-dev nginx-light caddy wrk curl
  sqlite3 openssl  # the binding tests: session rows written by hand; certificates for the Node tests
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc python3-grpcio python3-grpc-tools
)
# Node.js for bindings/node: the machine's own (nodesource) if there is one, else Debian's.
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "installing: ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
