#!/usr/bin/env bash
# A real Neo4j 5.26 Community server for local runs and integration tests, without Docker.
#
#   bash scripts/neo4j.sh start    # idempotent; prints NEO4J_PID=, NEO4J_STARTED=true|false (spawned
#                                  # or reused) and, as the last line, NEO4J_URI=bolt://127.0.0.1:PORT
#   bash scripts/neo4j.sh stop     # SIGTERM (clean shutdown), wait, then SIGKILL as a last resort
#   bash scripts/neo4j.sh status   # exit 0 when running and answering Bolt, 3 otherwise
#
# Needs Java 17 and Maven (and Node, which the project needs anyway, for the Bolt probe).
# The first start resolves org.neo4j:neo4j from docker/neo4j-launcher/pom.xml into ~/.m2
# (about 155 MB from Maven Central) and caches the classpath under .cache/services; later
# starts spawn `java org.neo4j.server.CommunityEntryPoint` directly (never through `mvn exec`,
# which swallows signals). Auth is disabled: this server is for local tests only and listens
# on 127.0.0.1. Environment: NEO4J_BOLT_PORT forces a port (default 7687 when free),
# NEO4J_START_TIMEOUT (seconds, default 180), NEO4J_STATE_DIR (pid, log, store; default
# .cache/services: a second directory gives a second, independent server), JAVA, MVN.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${NEO4J_STATE_DIR:-$ROOT/.cache/services}"
mkdir -p "$STATE"
STATE="$(cd "$STATE" && pwd)"
PIDFILE="$STATE/neo4j.pid"
PORTFILE="$STATE/neo4j.port"
LOG="$STATE/neo4j.log"
HOME_DIR="$STATE/neo4j-home"
CPFILE="$STATE/neo4j.classpath"
CPKEY="$STATE/neo4j.classpath.key"
LOCK="$STATE/neo4j.lock"
POM="$ROOT/docker/neo4j-launcher/pom.xml"
JAVA="${JAVA:-java}"
MVN="${MVN:-mvn}"
TIMEOUT="${NEO4J_START_TIMEOUT:-180}"
MAIN=org.neo4j.server.CommunityEntryPoint

say() { echo "neo4j.sh: $*" >&2; }

die() {
  say "$1"
  if [[ -f "$LOG" ]]; then
    echo "----- last 40 lines of $LOG -----" >&2
    tail -n 40 "$LOG" >&2 || true
    echo "-----" >&2
  fi
  [[ -n "${2:-}" ]] && say "what to do: $2"
  exit 1
}

need() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found on PATH" "$2"; }

# Node does the Bolt handshake (magic 0x6060B017, then four version proposals); a server that
# answers with a non-zero version is up and accepting Bolt. Exit 0 = answering.
bolt_probe() {
  node -e '
    const net = require("node:net");
    const s = net.connect({ host: "127.0.0.1", port: Number(process.argv[1]) });
    const done = (ok) => { s.destroy(); process.exit(ok ? 0 : 1); };
    s.setTimeout(2000, () => done(false));
    s.on("error", () => done(false));
    s.on("connect", () => s.write(Buffer.from([0x60,0x60,0xb0,0x17, 0,8,8,5, 0,0,4,4, 0,0,0,4, 0,0,0,3])));
    let got = Buffer.alloc(0);
    s.on("data", (d) => { got = Buffer.concat([got, d]); if (got.length >= 4) done(got.readUInt32BE(0) !== 0); });
    s.on("end", () => done(false));
  ' "$1" >/dev/null 2>&1
}

# port_free, free_port
source "$(dirname "${BASH_SOURCE[0]}")/lib/ports.sh"

is_ours() {
  local args
  [[ "$1" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$1" 2>/dev/null || return 1
  # -ww: the classpath makes the command line ~20 kB; plain ps truncates it.
  args="$(ps -ww -p "$1" -o args= 2>/dev/null || true)"
  [[ "$args" == *"$MAIN"* && "$args" == *"--home-dir=$HOME_DIR"* ]]
}

# Our server's pid, from the pid file or, when that was lost, from the process table (the
# home dir in its command line identifies it). Prints nothing and fails when none runs.
our_pid() {
  local pid=""
  [[ -f "$PIDFILE" ]] && pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  if is_ours "$pid"; then echo "$pid"; return 0; fi
  for pid in $(pgrep -f -- "--home-dir=$HOME_DIR" 2>/dev/null || true); do
    if is_ours "$pid"; then echo "$pid" > "$PIDFILE"; echo "$pid"; return 0; fi
  done
  return 1
}

lock() {
  # One start/stop at a time (parallel test runs); flock is Linux-only, so it is optional.
  if command -v flock >/dev/null 2>&1; then exec 9>"$LOCK"; flock 9; fi
}

classpath() {
  local key
  key="$(sha256sum "$POM" | cut -d' ' -f1)"
  if [[ -s "$CPFILE" && -f "$CPKEY" && "$(cat "$CPKEY")" == "$key" ]]; then
    # Reuse the cached classpath only while every jar is still in the local repository.
    local missing=0 jar
    while IFS= read -r jar; do [[ -f "$jar" ]] || { missing=1; break; }; done < <(tr ':' '\n' < "$CPFILE")
    [[ $missing == 0 ]] && return 0
  fi
  need "$MVN" "install Maven (apt-get install maven) or set MVN=/path/to/mvn"
  say "resolving the Neo4j classpath with Maven (the first use downloads ~155 MB into ~/.m2) ..."
  if ! "$MVN" -q -B -f "$POM" dependency:build-classpath -Dmdep.outputFile="$CPFILE.tmp" >"$STATE/mvn.log" 2>&1; then
    cat "$STATE/mvn.log" >&2
    die "mvn dependency:build-classpath failed" "check network access to Maven Central (or a mirror in ~/.m2/settings.xml), then rerun 'bash scripts/neo4j.sh start'"
  fi
  mv "$CPFILE.tmp" "$CPFILE"
  echo "$key" > "$CPKEY"
}

wait_ready() {
  local pid="$1" port="$2" deadline=$((SECONDS + TIMEOUT))
  while (( SECONDS < deadline )); do
    if ! kill -0 "$pid" 2>/dev/null; then
      local rc=""
      wait "$pid" 2>/dev/null && rc=0 || rc=$?
      rm -f "$PIDFILE"
      case "$rc" in
        3) die "Neo4j exited with code 3 (invalid configuration)" "read the log above; Neo4j 5 rejects 4.x setting names" ;;
        2) die "Neo4j exited with code 2 (store in use)" "another Neo4j uses $HOME_DIR: run 'bash scripts/neo4j.sh stop' or end that process" ;;
        *) die "Neo4j exited during startup (code ${rc:-unknown})" "read the log above; delete $HOME_DIR to start from an empty store" ;;
      esac
    fi
    if bolt_probe "$port"; then return 0; fi
    sleep 1
  done
  die "Neo4j did not answer Bolt on 127.0.0.1:$port within ${TIMEOUT}s" "read the log; raise NEO4J_START_TIMEOUT on slow machines, or 'bash scripts/neo4j.sh stop' and retry"
}

start() {
  mkdir -p "$STATE"
  need node "install Node.js 20 (the project needs it)"
  lock

  local pid port
  if pid="$(our_pid)"; then
    port="$(cat "$PORTFILE" 2>/dev/null || echo 7687)"
    # Alive: reuse it, waiting if it is still starting.
    wait_ready "$pid" "$port"
    say "reusing Neo4j pid $pid"
    echo "NEO4J_PID=$pid"
    echo "NEO4J_STARTED=false"
    echo "NEO4J_URI=bolt://127.0.0.1:$port"
    return 0
  fi
  rm -f "$PIDFILE"

  need "$JAVA" "install a Java 17 runtime (apt-get install openjdk-17-jre-headless) or set JAVA=/path/to/java"
  classpath

  port="${NEO4J_BOLT_PORT:-}"
  if [[ -z "$port" ]]; then
    if port_free 7687; then port=7687; else port="$(free_port)"; fi
  elif ! port_free "$port"; then
    die "port $port (NEO4J_BOLT_PORT) is in use" "unset NEO4J_BOLT_PORT to pick a free port"
  fi

  mkdir -p "$HOME_DIR/conf" "$HOME_DIR/plugins" "$HOME_DIR/import"
  : > "$HOME_DIR/conf/neo4j.conf"
  : > "$LOG"
  local t0=$SECONDS
  # setsid + redirected stdio: the server outlives this script and does not hold the caller's
  # pipes open (execFileSync in the tests waits for them to close).
  setsid "$JAVA" -Xms256m -Xmx1g -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
    -Dfile.encoding=UTF-8 -Dio.netty.tryReflectionSetAccessible=true \
    --add-opens java.base/java.nio=ALL-UNNAMED \
    --add-opens java.base/java.io=ALL-UNNAMED \
    --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
    --add-opens java.base/java.lang=ALL-UNNAMED \
    -cp "$(cat "$CPFILE")" "$MAIN" \
    --home-dir="$HOME_DIR" --console-mode \
    -c dbms.security.auth_enabled=false \
    -c server.bolt.enabled=true \
    -c server.bolt.listen_address="127.0.0.1:$port" \
    -c server.bolt.advertised_address="127.0.0.1:$port" \
    -c server.http.enabled=false \
    -c server.https.enabled=false \
    -c server.memory.pagecache.size=128m \
    -c dbms.usage_report.enabled=false \
    -c db.tx_log.rotation.retention_policy="2 files" \
    </dev/null >>"$LOG" 2>&1 9>&- &
  pid=$!
  echo "$pid" > "$PIDFILE"
  echo "$port" > "$PORTFILE"
  say "started Neo4j pid $pid on 127.0.0.1:$port, waiting for Bolt (log: $LOG) ..."
  wait_ready "$pid" "$port"
  say "Neo4j answered Bolt after $((SECONDS - t0))s"
  echo "NEO4J_PID=$pid"
  # true: this call spawned the server (a test run's teardown may stop it); false: reused.
  echo "NEO4J_STARTED=true"
  echo "NEO4J_URI=bolt://127.0.0.1:$port"
}

stop() {
  mkdir -p "$STATE"
  lock
  local pid i
  if ! pid="$(our_pid)"; then
    rm -f "$PIDFILE"
    say "not running"
    return 0
  fi
  # Who asked: a shared checkout has several test runs, and each run's teardown stops the server.
  echo "neo4j.sh: stop requested by pid $PPID ($(ps -ww -o args= -p "$PPID" 2>/dev/null | cut -c1-200))" >> "$LOG"
  kill -TERM "$pid"
  for ((i = 0; i < 120; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "pid $pid still alive after 60s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE"
  say "stopped pid $pid"
}

status() {
  local pid port
  if pid="$(our_pid)"; then
    port="$(cat "$PORTFILE" 2>/dev/null || echo 7687)"
    if bolt_probe "$port"; then
      echo "running pid=$pid"
      echo "NEO4J_URI=bolt://127.0.0.1:$port"
      return 0
    fi
    echo "starting pid=$pid (not answering Bolt on $port yet)"
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
