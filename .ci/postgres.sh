#!/usr/bin/env bash
# A throwaway local PostgreSQL for the test suite, from the machine's own packages.
#
#   eval "$(.ci/postgres.sh start)"   start a server; prints `export TEST_DATABASE_URL=...` lines
#   .ci/postgres.sh env               print those lines again for the running server
#   .ci/postgres.sh stop              stop the server and delete its directory
#   .ci/postgres.sh pause|resume      stop the server, keeping its data; start it again on its port
#                                     (the outage tests: tests/e2e/test_postgres_outage.py)
#
# Everything (data, unix socket, log) lives in one directory: $CELLULE_PG_DIR, or by default
# /tmp/cellule-pg-<uid>. The server listens on 127.0.0.1 on a free port with `trust` auth:
# for tests only, never for real data. It serves one database, cellule_test, owned by the
# superuser `cellule`. As root, the server runs as the user `cellule-ci` (created if missing),
# since PostgreSQL refuses to run as root.
set -euo pipefail

DIR="${CELLULE_PG_DIR:-${TMPDIR:-/tmp}/cellule-pg-$(id -u)}"
PG_USER="cellule"  # database superuser, not an OS user
DB_NAME="cellule_test"
OS_USER="cellule-ci"

log() { echo "postgres.sh: $*" >&2; }

find_bin() {
  # Debian keeps the server binaries out of PATH, one directory per major version.
  local candidate
  for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ] && { echo "$candidate"; return 0; }
  done
  candidate="$(command -v initdb 2>/dev/null || true)"
  [ -n "$candidate" ] && command -v pg_ctl >/dev/null && { dirname "$(readlink -f "$candidate")"; return 0; }
  return 1
}

install_postgres() {
  if [ "$(id -u)" -ne 0 ]; then
    log "PostgreSQL is not installed; install it (Debian: apt-get install postgresql) and retry"
    exit 1
  fi
  log "installing PostgreSQL from the Debian packages"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
}

# Runs a PostgreSQL program as the server's OS user, from a directory that user can read.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd "$DIR" && runuser -u "$OS_USER" -- "$@")
  else
    (cd "$DIR" && "$@")
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

print_env() {
  local port
  port="$(cat "$DIR/port")"
  echo "export CELLULE_PG_DIR='$DIR'"
  echo "export TEST_DATABASE_URL='postgresql+psycopg://$PG_USER@127.0.0.1:$port/$DB_NAME'"
}

running() {
  [ -f "$DIR/port" ] && [ -d "$DIR/data" ] && as_owner "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1
}

start() {
  if running; then
    log "already running in $DIR"
    print_env
    return 0
  fi
  if [ -e "$DIR" ]; then
    # Left over from a crash, or not ours: only reuse a directory this user owns.
    [ -O "$DIR" ] || { log "$DIR exists and is not yours; set CELLULE_PG_DIR"; exit 1; }
    rm -rf "$DIR"
  fi
  mkdir -p "$DIR"
  chmod 755 "$DIR"  # the server's user must reach its data and socket below
  mkdir "$DIR/data" "$DIR/socket"
  if [ "$(id -u)" -eq 0 ]; then
    id -u "$OS_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$OS_USER"
    chown "$OS_USER" "$DIR/data" "$DIR/socket"
  fi
  chmod 700 "$DIR/data"
  as_owner "$BIN/initdb" -D "$DIR/data" -U "$PG_USER" -A trust -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; exit 1; }
  # Durability off: the data is thrown away, and the suite is mostly small commits.
  # A non-UTC server zone, so a test that forgets a time zone conversion fails here.
  local port attempt
  for attempt in 1 2 3; do
    port="$(free_port)"
    touch "$DIR/server.log" && { [ "$(id -u)" -ne 0 ] || chown "$OS_USER" "$DIR/server.log"; }
    if as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start -o \
        "-p $port -k $DIR/socket -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off \
         -c synchronous_commit=off -c full_page_writes=off -c timezone=Europe/Paris" >/dev/null; then
      echo "$port" >"$DIR/port"
      break
    fi
    log "start on port $port failed (attempt $attempt):"
    tail -n 5 "$DIR/server.log" >&2
    [ "$attempt" -eq 3 ] && exit 1
  done
  as_owner "$BIN/createdb" -h "$DIR/socket" -p "$port" -U "$PG_USER" "$DB_NAME"
  log "running on 127.0.0.1:$port (data in $DIR)"
  print_env
}

stop() {
  if [ -n "$BIN" ] && [ -d "$DIR/data" ]; then
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DIR"
}

pause() {
  as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast -w -t 30 stop >/dev/null
}

resume() {
  as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start -o \
    "-p $(cat "$DIR/port") -k $DIR/socket -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off \
     -c synchronous_commit=off -c full_page_writes=off -c timezone=Europe/Paris" >/dev/null
}

BIN="$(find_bin || true)"
case "${1:-}" in
  start)
    if [ -z "$BIN" ]; then
      install_postgres
      BIN="$(find_bin)" || { log "initdb/pg_ctl still not found after installing"; exit 1; }
    fi
    start ;;
  stop) stop ;;
  pause) running || { log "no server running in $DIR"; exit 1; }; pause ;;
  resume) [ -f "$DIR/port" ] || { log "no server in $DIR"; exit 1; }; resume ;;
  env) running || { log "no server running in $DIR"; exit 1; }; print_env ;;
  *) echo "usage: $0 start|stop|env|pause|resume" >&2; exit 2 ;;
esac
