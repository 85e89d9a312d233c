# Shared by the benchmarks: build the jar, give each run a fresh PostgreSQL database, start and stop
# the service in the prod profile. Source it; it expects BENCH_DB and HTTP_PORT to be set.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# The service under test: this checkout's jar, or JAR=path (bench/lib/ab.sh runs two jars alternately).
JAR="${JAR:-$ROOT/target/coupon-service.jar}"
# The harness (broker, payment load, machine probe) is test code, compiled into target/test-classes by the same
# build as the jar and never shipped in it; with this checkout's jar (operator tools) it runs whatever JAR is.
HARNESS_CP="$ROOT/target/coupon-service.jar:$ROOT/target/test-classes"
PG_HOST="${PG_HOST:-127.0.0.1}"
PG_USER="${PG_USER:-postgres}"
export COUPON_PROFILE=prod
export DATABASE_HOST="$PG_HOST" DATABASE_PORT="${PG_PORT:-5432}" DATABASE_NAME="$BENCH_DB" DATABASE_USER="$PG_USER"
export DATABASE_PASSWORD="${PG_PASSWORD:-}"
export COUPON_AUTH_JWT_SECRET="${COUPON_AUTH_JWT_SECRET:-bench-secret-$(date +%s)-0123456789abcdef}"
export COUPON_HTTP_PORT="$HTTP_PORT" COUPON_REMOTE_PORT="${REMOTE_PORT:-25520}" COUPON_MANAGEMENT_PORT="${MANAGEMENT_PORT:-28558}"
# Transparent huge pages for the Java heaps (this machine's kernel gives them only on request, "madvise"):
# on this VM a slow hour makes every TLB miss dear, and 4 KiB pages made a heap-bound probe 4-7x slower.
# A code cache of 1 GiB (reserved, committed as used): with the default 240 MiB, every ~25 MiB of new compiled
# code triggers a full collection to unload cold code ("CodeCache GC Threshold"), which stopped the service for
# 2.1-2.5 s with 200,000 reserved coupons in memory (bench/README.md, "Code cache").
# A heap of 4 GiB: the young generation (a third of it) then fills about half as often as with 2 GiB, and
# each young pause (10-55 ms on two shared cores) holds up every request in flight
# (bench/README.md, "GC pauses and heap size").
# The heap touched at start (about 3 s): otherwise a young pause that first touches pages of the old or survivor
# spaces spends most of its time in the kernel: such pauses took up to 105 ms, pre-touched ones under 37
# (bench/README.md, "Pre-touched heap").
SERVER_JAVA_OPTS="${SERVER_JAVA_OPTS:--Xms4g -Xmx4g -XX:+AlwaysPreTouch -XX:+UseParallelGC -XX:+UseTransparentHugePages -XX:ReservedCodeCacheSize=1g}"
# The service runs on the runtime of its image (Dockerfile), Java 25, where this machine has one; the jar is
# built for Java 17, which runs it too (SERVER_JAVA=java).
SERVER_JAVA="${SERVER_JAVA:-$(ls /usr/lib/jvm/*-25-*/bin/java 2>/dev/null | head -n 1)}"
SERVER_JAVA="${SERVER_JAVA:-java}"
# The image's runtime options (JDK_JAVA_OPTIONS in the Dockerfile), where this runtime knows them (Java 17 does
# not): Java 24 and later warn about Pekko's sun.misc.Unsafe and Netty's native access unless they are allowed,
# and compact object headers (a product option from Java 25 on) made the service's many small objects smaller.
SERVER_RUNTIME_OPTS=""
if "$SERVER_JAVA" --sun-misc-unsafe-memory-access=allow -version > /dev/null 2>&1; then
  SERVER_RUNTIME_OPTS="--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
fi
if "$SERVER_JAVA" -XX:+UseCompactObjectHeaders -version > /dev/null 2>&1; then
  SERVER_RUNTIME_OPTS="$SERVER_RUNTIME_OPTS -XX:+UseCompactObjectHeaders"
fi
# SERVER_IMAGE=1: the JVM of the container image instead, exactly: the Dockerfile's JAVA_TOOL_OPTIONS and
# JDK_JAVA_OPTIONS, inside a memory cgroup with docker-compose.yml's mem_limit (which the JVM reads as a
# container's limit and sizes its heap from). Read from those files, so the check follows what ships.
SERVER_MEMORY_LIMIT="${SERVER_MEMORY_LIMIT:-}"
if [ "${SERVER_IMAGE:-0}" = 1 ]; then
  SERVER_JAVA_OPTS="$(sed -n 's/^ENV JAVA_TOOL_OPTIONS="\(.*\)"$/\1/p' "$ROOT/Dockerfile")"
  SERVER_RUNTIME_OPTS="$(sed -n 's/^ENV JDK_JAVA_OPTIONS="\(.*\)"$/\1/p' "$ROOT/Dockerfile")"
  SERVER_MEMORY_LIMIT="$(sed -n 's/^ *mem_limit: *//p' "$ROOT/docker-compose.yml")"
  [ -n "$SERVER_JAVA_OPTS" ] && [ -n "$SERVER_MEMORY_LIMIT" ] || { echo "no image JVM options or mem_limit found" >&2; exit 1; }
fi
BROKER_JAVA_OPTS="${BROKER_JAVA_OPTS:--XX:+UseTransparentHugePages}"
# Every benchmark server's rate-limit keys start with this (a run adds its own start time).
BENCH_RATE_LIMIT_PREFIX="coupon:rl:bench-"

command -v wrk > /dev/null || { echo "wrk is not installed: apt-get install -y wrk" >&2; exit 1; }

build_jar() {
  if [ ! -f "$ROOT/target/coupon-service.jar" ] || [ ! -d "$ROOT/target/test-classes/couponservice/bench" ]; then
    (cd "$ROOT" && ./mvnw -B -q package -DskipTests)
  fi
  [ -f "$JAR" ] || { echo "no jar at JAR=$JAR" >&2; exit 1; }
}

# A fresh database, and no rate-limit keys of earlier benchmark runs in Redis: they would expire during this
# run, millions of them, and Redis's expiry cycle tripled its CPU per issued coupon (8.8 to 25 µs).
fresh_database() {
  psql -h "$PG_HOST" -U "$PG_USER" -d postgres -qc "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)"
  psql -h "$PG_HOST" -U "$PG_USER" -d postgres -qc "CREATE DATABASE $BENCH_DB"
  redis-cli -h "${REDIS_HOST:-127.0.0.1}" -p "${REDIS_PORT:-6379}" --scan --pattern "$BENCH_RATE_LIMIT_PREFIX*" \
    | xargs -r -n 1000 redis-cli -h "${REDIS_HOST:-127.0.0.1}" -p "${REDIS_PORT:-6379}" unlink > /dev/null
}

start_server() {
  local log="$1"
  # What kind of hour this is (thread hand-off and heap speed swing by several times on this VM), beside the results.
  # The probe's heap is not pre-touched: it uses a few MB of it, and touching 4 GiB would add 3 s to every start.
  "$SERVER_JAVA" $SERVER_RUNTIME_OPTS ${SERVER_JAVA_OPTS//-XX:+AlwaysPreTouch/} -cp "$HARNESS_CP" couponservice.bench.MachineProbe \
    > "$(dirname "$log")/machine.json"
  # Rate-limit windows of a run of its own, as its database is: users of earlier runs within the hour (or
  # blocked for a day) would otherwise be refused with 429.
  enter_memory_limit
  # The server enters the memory cgroup (when there is one) before it becomes java, so all of it is counted.
  sh -c '[ -z "$1" ] || echo $$ > "$1/cgroup.procs"; shift; exec "$@"' sh "${SERVER_CGROUP:-}" \
    "$SERVER_JAVA" $SERVER_RUNTIME_OPTS $SERVER_JAVA_OPTS -Dcoupon.rate-limit.redis.key-prefix="$BENCH_RATE_LIMIT_PREFIX$(date +%s%N):" -jar "$JAR" > "$log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 120); do
    grep -q "^coupon-service (.*) listening on" "$log" && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$log"; return 1; }
    sleep 0.5
  done
  echo "server did not start" >&2
  return 1
}

# The service needs Kafka in the prod profile: a broker of the benchmark's own, in-process in a JVM.
start_broker() {   # log file
  java $BROKER_JAVA_OPTS -cp "$HARNESS_CP" couponservice.bench.KafkaBroker "${KAFKA_PORT:-19092}" > "$1" 2>&1 &
  BROKER_PID=$!
  for _ in $(seq 1 60); do grep -q "listening on" "$1" && break; sleep 0.5; done
  export KAFKA_BOOTSTRAP_SERVERS="localhost:${KAFKA_PORT:-19092}"
}

stop_broker() {
  [ -n "${BROKER_PID:-}" ] && kill "$BROKER_PID" 2>/dev/null && wait "$BROKER_PID" 2>/dev/null || true
}

stop_server() {
  [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  leave_memory_limit
}

# A memory cgroup of SERVER_MEMORY_LIMIT (e.g. 1536m) for the server, on cgroup v2 or v1; SERVER_CGROUP is its path.
enter_memory_limit() {
  [ -n "$SERVER_MEMORY_LIMIT" ] || return 0
  local bytes
  bytes=$(numfmt --from=iec "$(echo "$SERVER_MEMORY_LIMIT" | tr 'a-z' 'A-Z' | sed 's/I\?B$//')")
  if grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
    SERVER_CGROUP="/sys/fs/cgroup/coupon-bench-$$"
    mkdir -p "$SERVER_CGROUP" && echo "$bytes" > "$SERVER_CGROUP/memory.max" && echo 0 > "$SERVER_CGROUP/memory.swap.max"
  else
    SERVER_CGROUP="/sys/fs/cgroup/memory/coupon-bench-$$"
    mkdir -p "$SERVER_CGROUP" && echo "$bytes" > "$SERVER_CGROUP/memory.limit_in_bytes"
  fi
  echo "server in memory cgroup $SERVER_CGROUP, limit $SERVER_MEMORY_LIMIT ($bytes bytes)"
}

# Prints the cgroup's peak and whether the kernel's OOM killer struck, then removes it.
leave_memory_limit() {
  [ -n "${SERVER_CGROUP:-}" ] && [ -d "$SERVER_CGROUP" ] || return 0
  local peak oom
  if [ -f "$SERVER_CGROUP/memory.peak" ]; then
    peak=$(cat "$SERVER_CGROUP/memory.peak"); oom=$(awk '$1 == "oom_kill" { print $2 }' "$SERVER_CGROUP/memory.events")
  else
    peak=$(cat "$SERVER_CGROUP/memory.max_usage_in_bytes"); oom=$(awk '$1 == "oom_kill" { print $2 }' "$SERVER_CGROUP/memory.oom_control")
  fi
  echo "memory {\"limit\": \"$SERVER_MEMORY_LIMIT\", \"peakMiB\": $((peak / 1048576)), \"oomKills\": ${oom:-0}}"
  rmdir "$SERVER_CGROUP" 2>/dev/null || true
  SERVER_CGROUP=""
}

# CPU per unit of work between two samples (bench/lib/cpu.py): cpu_report "$before" "$(cpu_sample)" units
cpu_sample() {
  python3 "$ROOT/bench/lib/cpu.py" sample "$SERVER_PID" "${BROKER_PID:-}"
}

cpu_report() {
  python3 "$ROOT/bench/lib/cpu.py" report "$1" "$2" "$3"
}

# Rounds of connections opened at once and closed when answered (bench/lib/connection_churn.py), as a server
# that has run for a while has accepted: with only a few hundred connections before a measured run, the last
# of its 200 connections waited 160-200 ms for its first answer, and wrk turns each such wait into dozens of
# made-up samples (see flash-sale/issue.lua). Writes the time of each round to <results>/connection-warm-up.json.
warm_connection_setup() {   # results directory
  python3 "$ROOT/bench/lib/connection_churn.py" "$HTTP_PORT" 200 20 > "$1/connection-warm-up.json"
  echo "connection-warm-up $(cat "$1/connection-warm-up.json")"
}

mint() {
  java -cp "$HARNESS_CP" couponservice.tools.MintToken "$@"
}

# What a policy's journal holds (couponservice.tools.JournalAudit): one JSON line.
journal_audit() {   # policy id
  java -cp "$HARNESS_CP" couponservice.tools.JournalAudit "$1" 2>/dev/null | tail -n 1
}

api() {
  local method="$1" path="$2" body="${3:-}"
  curl -s -X "$method" "http://127.0.0.1:$HTTP_PORT$path" -H "Authorization: Bearer $ADMIN_TOKEN" \
    -H 'Content-Type: application/json' ${body:+-d "$body"}
}

json_field() {
  python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"
}
