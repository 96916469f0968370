#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the PostgreSQL directory tests (tests/postgres):
#   eval "$(bash scripts/pg-cluster.sh start /tmp/pgc)"   # initdb + start; prints the exports
#   bash scripts/pg-cluster.sh env /tmp/pgc                # prints the exports again
#   bash scripts/pg-cluster.sh stop /tmp/pgc               # stops and removes DIR (idempotent)
# The cluster listens on a Unix socket in DIR (trust) and on 127.0.0.1:PORT (scram-sha-256) for
# role `authp` (random password, CREATEDB) and database `authp_test`. As root, the server runs
# as the `postgres` OS user (initdb refuses root). Progress goes to stderr, exports to stdout.
set -euo pipefail

die() {
  echo "pg-cluster.sh: $*" >&2
  exit 1
}
usage() { die "usage: pg-cluster.sh start DIR | stop DIR | env DIR   (DIR under /tmp)"; }

[ $# -eq 2 ] || usage
cmd=$1
dir=$2
case "$dir" in
  /tmp/?*) ;;
  *) die "DIR must be an absolute path under /tmp (it is removed on stop): '$dir'" ;;
esac
# DIR goes into a URL and a single-quoted shell word: keep it plain.
[[ "$dir" =~ ^/tmp/[A-Za-z0-9._/-]+$ ]] || die "DIR may only hold letters, digits, '.', '_', '-' and '/': '$dir'"
[[ "$dir" != *..* ]] || die "DIR must not contain '..': '$dir'"
dir=${dir%/}
marker="$dir/.authp-pg-cluster"  # stop only ever removes a directory this script made
data="$dir/data"

find_bin() {
  if [ -n "${AUTHP_TEST_PG_BIN:-}" ] && [ -x "$AUTHP_TEST_PG_BIN/initdb" ]; then
    echo "$AUTHP_TEST_PG_BIN"
    return
  fi
  local b
  if command -v pg_config >/dev/null && b=$(pg_config --bindir 2>/dev/null) && [ -x "$b/initdb" ]; then
    echo "$b"
    return
  fi
  if [ -x /usr/lib/postgresql/15/bin/initdb ]; then
    echo /usr/lib/postgresql/15/bin
    return
  fi
  b=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$b" ] && [ -x "$b/initdb" ] || die "no PostgreSQL server binaries (apt-get install postgresql)"
  echo "$b"
}

# Runs a command as the cluster's owner: `postgres` when we are root, else ourselves.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  /usr/bin/python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

running() { [ -f "$data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; }

print_env() {
  [ -f "$marker" ] && [ -f "$dir/port" ] && [ -f "$dir/password" ] || die "no cluster in $dir (run: pg-cluster.sh start $dir)"
  local port pw
  port=$(cat "$dir/port")
  pw=$(cat "$dir/password")
  echo "export AUTHP_TEST_PG_URL='postgresql://authp:$pw@127.0.0.1:$port/authp_test'"
  echo "export AUTHP_TEST_PG_SOCKET_URL='postgresql://authp@/authp_test?host=$dir&port=$port'"
  echo "export AUTHP_TEST_PG_BIN='$bin'"
  echo "export AUTHP_TEST_PG_DATA='$data'"
}

start() {
  if [ -f "$marker" ] && running; then
    echo "pg-cluster.sh: cluster in $dir already running" >&2
    print_env
    return
  fi
  if [ -e "$dir" ] && [ ! -f "$marker" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
    die "$dir exists, is not empty and was not made by this script"
  fi
  [ "$(id -u)" -ne 0 ] || getent passwd postgres >/dev/null || die "running as root needs the 'postgres' OS user"
  mkdir -p "$dir"
  touch "$marker"
  chmod 755 "$dir"  # the socket lives here; data/ itself is 0700
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir" "$marker"; fi

  if [ ! -f "$data/PG_VERSION" ]; then
    rm -rf "$data"
    echo "pg-cluster.sh: initdb $data ($bin)" >&2
    as_owner "$bin/initdb" -D "$data" -U postgres -E UTF8 --locale=C --no-sync \
      --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 ||
      die "initdb failed: $(tail -n 5 "$dir/initdb.log")"
  fi

  local port="" attempt
  for attempt in 1 2 3; do
    port=$(free_port)
    echo "pg-cluster.sh: starting on port $port" >&2
    if as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 30 start \
      -o "-k $dir -p $port -c listen_addresses=127.0.0.1" >/dev/null 2>&1; then
      break
    fi
    port=""
    echo "pg-cluster.sh: start attempt $attempt failed: $(tail -n 3 "$dir/server.log" 2>/dev/null)" >&2
  done
  [ -n "$port" ] || die "the server did not start (log: $dir/server.log)"

  local pw
  pw=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  local psql=("$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres)
  as_owner "${psql[@]}" >/dev/null <<SQL || die "creating role and database failed"
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authp') THEN CREATE ROLE authp LOGIN CREATEDB; END IF;
END \$\$;
ALTER ROLE authp PASSWORD '$pw';
SELECT 'CREATE DATABASE authp_test OWNER authp' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'authp_test')
\gexec
SQL
  # Written after the server is up so a failed start leaves no half-described cluster.
  (umask 077 && echo "$port" >"$dir/port" && echo "$pw" >"$dir/password")

  # Both URL forms must work before we claim success.
  PGCONNECT_TIMEOUT=5 "$bin/psql" -X -qAt -d "postgresql://authp@/authp_test?host=$dir&port=$port" \
    -c 'SELECT 1' >/dev/null || die "socket connection as authp failed"
  PGCONNECT_TIMEOUT=5 "$bin/psql" -X -qAt -d "postgresql://authp:$pw@127.0.0.1:$port/authp_test" \
    -c 'SELECT 1' >/dev/null || die "TCP connection as authp (scram-sha-256) failed"
  echo "pg-cluster.sh: ready ($dir)" >&2
  print_env
}

stop() {
  if [ ! -e "$dir" ]; then
    return 0
  fi
  [ -f "$marker" ] || die "$dir was not made by this script; not removing it"
  if [ -f "$data/postmaster.pid" ]; then
    if ! as_owner "$bin/pg_ctl" -D "$data" -w -t 30 stop -m fast >/dev/null 2>&1 && running; then
      die "pg_ctl stop failed (log: $dir/server.log)"
    fi
  fi
  rm -rf "$dir"
  echo "pg-cluster.sh: stopped and removed $dir" >&2
}

bin=$(find_bin)
case "$cmd" in
  start) start ;;
  stop) stop ;;
  env) print_env ;;
  *) usage ;;
esac
