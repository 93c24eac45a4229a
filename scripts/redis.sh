#!/usr/bin/env bash
# A real Redis (Debian's redis-server) for local runs, the BullMQ executor and integration tests.
#
#   bash scripts/redis.sh start    # idempotent; last stdout line: REDIS_URL=redis://127.0.0.1:PORT
#   bash scripts/redis.sh stop     # SHUTDOWN SAVE (writes the RDB snapshot, flushes the AOF), then waits
#   bash scripts/redis.sh status   # exit 0 when running and answering PING, 3 otherwise
#
# Listens on 127.0.0.1 only, daemonized; config, data, pidfile and log live in
# .cache/services/redis/ (or .cache/services/redis-$REDIS_INSTANCE/ for a second, independent
# server: the crash-safety tests restart their own instance, not the shared one).
# Port: REDIS_PORT forces one; otherwise the port this instance used last time (so a restart keeps
# its URL), else 6390 when free, else any free port.
#
# Persistence, and what a deployment needs: BullMQ keeps every queued batch, the stored
# per-batch results and the run records in Redis, so losing writes loses work (and a lost job can
# stall a run until it is replayed). This server runs with the AOF on (appendonly yes,
# appendfsync everysec: at most ~1 s of writes lost on a power cut, none on a clean
# `stop`/SHUTDOWN SAVE) plus RDB snapshots (save 3600 1 300 100 60 10000) for fast restarts and
# backups, and `maxmemory-policy noeviction`, which BullMQ requires (an evicting Redis silently
# drops job keys). A production Redis for cmtmedqa needs the same three settings (see
# docker/compose.yaml), a persistent volume for its `dir`, and enough memory for the in-flight
# batches plus the processed results of the runs being finalised (about the size of their
# shards, uncompressed).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INSTANCE="${REDIS_INSTANCE:-}"
if [[ -n "$INSTANCE" && ! "$INSTANCE" =~ ^[A-Za-z0-9_-]+$ ]]; then
  echo "redis.sh: REDIS_INSTANCE must be letters, digits, _ or -" >&2
  exit 2
fi
STATE="$ROOT/.cache/services/redis${INSTANCE:+-$INSTANCE}"
PIDFILE="$STATE/redis.pid"
PORTFILE="$STATE/redis.port"
# The URL of the server this script started, read by the CLI when REDIS_URL is unset (one resolution for both).
URLFILE="$ROOT/.cache/services/redis${INSTANCE:+-$INSTANCE}/redis.url"
LOG="$STATE/redis.log"
CONF="$STATE/redis.conf"
LOCK="$STATE/redis.lock"
SERVER="${REDIS_SERVER:-redis-server}"
CLI="${REDIS_CLI:-redis-cli}"
TIMEOUT="${REDIS_START_TIMEOUT:-30}"

say() { echo "redis.sh: $*" >&2; }

die() {
  say "$1"
  if [[ -f "$LOG" ]]; then
    echo "----- last 20 lines of $LOG -----" >&2
    tail -n 20 "$LOG" >&2 || true
    echo "-----" >&2
  fi
  [[ -n "${2:-}" ]] && say "what to do: $2"
  exit 1
}

# PING over RESP; redis-cli when present (Debian ships it with redis-server), else Node.
ping() {
  local port="$1"
  if command -v "$CLI" >/dev/null 2>&1; then
    [[ "$("$CLI" -h 127.0.0.1 -p "$port" --no-auth-warning PING 2>/dev/null || true)" == "PONG" ]]
    return
  fi
  node -e '
    const s = require("node:net").connect({ host: "127.0.0.1", port: Number(process.argv[1]) });
    const done = (ok) => { s.destroy(); process.exit(ok ? 0 : 1); };
    s.setTimeout(2000, () => done(false));
    s.on("error", () => done(false));
    s.on("connect", () => s.write("PING\r\n"));
    let got = "";
    s.on("data", (d) => { got += d; if (got.includes("\r\n")) done(got.startsWith("+PONG")); });
  ' "$port" >/dev/null 2>&1
}

# Sends one command; used for SHUTDOWN when redis-cli is missing.
send() {
  local port="$1"; shift
  if command -v "$CLI" >/dev/null 2>&1; then
    "$CLI" -h 127.0.0.1 -p "$port" --no-auth-warning "$@" >/dev/null 2>&1 || true
    return
  fi
  node -e '
    const [port, ...args] = process.argv.slice(1);
    const s = require("node:net").connect({ host: "127.0.0.1", port: Number(port) });
    s.on("error", () => process.exit(0));
    s.on("close", () => process.exit(0));
    s.on("connect", () => s.write(`*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")));
    setTimeout(() => process.exit(0), 10000);
  ' "$port" "$@" >/dev/null 2>&1 || true
}

# port_free, free_port
source "$(dirname "${BASH_SOURCE[0]}")/lib/ports.sh"

# The recorded pid is alive and is a redis-server (guards against pid reuse).
ours_alive() {
  [[ -f "$PIDFILE" ]] || return 1
  local pid args
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  args="$(ps -p "$pid" -o args= 2>/dev/null || true)"
  [[ "$args" == *redis-server* ]]
}

wait_ready() {
  local port="$1" deadline=$((SECONDS + TIMEOUT))
  while (( SECONDS < deadline )); do
    if ping "$port"; then return 0; fi
    sleep 0.1
  done
  die "Redis did not answer PING on 127.0.0.1:$port within ${TIMEOUT}s" "read the log above; 'bash scripts/redis.sh stop' and retry"
}

write_conf() {
  local port="$1"
  cat > "$CONF" <<EOF
# Written by scripts/redis.sh start; edits are overwritten on the next start.
bind 127.0.0.1
protected-mode yes
port $port
daemonize yes
pidfile $PIDFILE
logfile $LOG
dir $STATE
# Durability: AOF fsynced every second, plus RDB snapshots (see the header of scripts/redis.sh).
appendonly yes
appendfsync everysec
appendfilename "appendonly.aof"
appenddirname "appendonlydir"
save 3600 1 300 100 60 10000
dbfilename dump.rdb
# BullMQ requires that Redis never evicts keys.
maxmemory-policy noeviction
EOF
}

start() {
  mkdir -p "$STATE"
  if ! command -v "$SERVER" >/dev/null 2>&1; then
    die "'$SERVER' not found on PATH" "install it: apt-get install -y redis-server (the CI script .ci/run does this), or set REDIS_SERVER=/path/to/redis-server"
  fi
  command -v node >/dev/null 2>&1 || die "'node' not found on PATH" "install Node.js 20 (the project needs it)"
  # One start at a time (parallel test workers); flock is Linux-only, so it is optional.
  if command -v flock >/dev/null 2>&1; then exec 9>"$LOCK"; flock 9; fi

  if ours_alive; then
    local pid port
    pid="$(cat "$PIDFILE")"; port="$(cat "$PORTFILE" 2>/dev/null || echo 6390)"
    wait_ready "$port"
    say "reusing Redis pid $pid"
    echo "REDIS_PID=$pid"
    echo "REDIS_STARTED=false"
    echo "redis://127.0.0.1:$port" > "$URLFILE"
    echo "REDIS_URL=redis://127.0.0.1:$port"
    return 0
  fi
  rm -f "$PIDFILE"

  local port="${REDIS_PORT:-}"
  if [[ -n "$port" ]]; then
    port_free "$port" || die "port $port (REDIS_PORT) is in use" "unset REDIS_PORT to pick a free port"
  else
    local last
    last="$(cat "$PORTFILE" 2>/dev/null || true)"
    if [[ "$last" =~ ^[0-9]+$ ]] && port_free "$last"; then port="$last"
    elif port_free 6390; then port=6390
    else port="$(free_port)"
    fi
  fi

  write_conf "$port"
  local t0=$SECONDS
  # daemonize yes: redis-server forks, writes the pidfile and returns; stdio is not held open.
  # 9>&-: the daemon must not inherit the start lock, or every later `start` would wait on it.
  "$SERVER" "$CONF" </dev/null >>"$LOG" 2>&1 9>&- || die "redis-server failed to start" "read the log above"
  echo "$port" > "$PORTFILE"
  wait_ready "$port"
  local i
  for ((i = 0; i < 50; i++)); do [[ -s "$PIDFILE" ]] && break; sleep 0.1; done
  say "started Redis pid $(cat "$PIDFILE" 2>/dev/null || echo '?') on 127.0.0.1:$port in $((SECONDS - t0))s (dir: $STATE)"
  echo "REDIS_PID=$(cat "$PIDFILE" 2>/dev/null || true)"
  echo "REDIS_STARTED=true"
  echo "redis://127.0.0.1:$port" > "$URLFILE"
  echo "REDIS_URL=redis://127.0.0.1:$port"
}

stop() {
  mkdir -p "$STATE"
  # The same lock as start: a stop racing a start must not delete the new server's pidfile.
  if command -v flock >/dev/null 2>&1; then exec 9>"$LOCK"; flock 9; fi
  if ! ours_alive; then
    rm -f "$PIDFILE"
    say "not running"
    return 0
  fi
  local pid port i
  pid="$(cat "$PIDFILE")"; port="$(cat "$PORTFILE" 2>/dev/null || echo 6390)"
  # SHUTDOWN SAVE: snapshot to dump.rdb and fsync the AOF before exiting.
  send "$port" SHUTDOWN SAVE
  for ((i = 0; i < 300; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "pid $pid ignored SHUTDOWN SAVE for 30s, sending SIGTERM"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  if kill -0 "$pid" 2>/dev/null; then
    say "pid $pid still alive, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  [[ "$(cat "$PIDFILE" 2>/dev/null || true)" == "$pid" ]] && rm -f "$PIDFILE" "$URLFILE"
  say "stopped pid $pid"
}

status() {
  if ours_alive; then
    local pid port
    pid="$(cat "$PIDFILE")"; port="$(cat "$PORTFILE" 2>/dev/null || echo 6390)"
    if ping "$port"; then
      echo "running pid=$pid"
      echo "REDIS_URL=redis://127.0.0.1:$port"
      return 0
    fi
    echo "starting pid=$pid (not answering PING on $port yet)"
    return 3
  fi
  echo "stopped"
  return 3
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
