#!/usr/bin/env bash
# Cluster chaos: three service JVMs (prod profile) on this machine forming one cluster through cluster
# bootstrap (config discovery), one PostgreSQL, one Redis (rate limiting), one Kafka broker. A flash sale
# is spread over the three nodes; node 2 is killed with SIGKILL in the middle and started again. Then:
# nothing beyond stock, no user over the limit of one, every 201 answered is in the journal, and the
# restarted node is back in the cluster and ready.
# Usage: bench/cluster-chaos/run.sh [seconds]   (needs wrk, PostgreSQL and Redis on 127.0.0.1)
set -euo pipefail
DURATION="${1:-45}"
BENCH_DB="${BENCH_DB:-coupon_bench}"
HTTP_PORT=18081
STOCK="${STOCK:-30000}"
HERE="$(cd "$(dirname "$0")" && pwd)"
SERVER_JAVA_OPTS="${SERVER_JAVA_OPTS:--Xms1g -Xmx1g -XX:+UseParallelGC}"
source "$HERE/../lib/server.sh"
OUT="$HERE/results"
mkdir -p "$OUT"

export COUPON_DISCOVERY=config COUPON_BOOTSTRAP_REQUIRED_CONTACT_POINTS=3
export COUPON_DISCOVERY_ENDPOINTS="127.0.0.1:28561,127.0.0.1:28562,127.0.0.1:28563"
declare -A PIDS
# One rate-limit keyspace for the three nodes (the limit is cluster-wide), fresh for this run.
RATE_LIMIT_PREFIX="$BENCH_RATE_LIMIT_PREFIX$(date +%s%N):"

start_node() {   # n
  local n="$1"
  COUPON_HTTP_PORT=$((18080 + n)) COUPON_REMOTE_PORT=$((25520 + n)) COUPON_MANAGEMENT_PORT=$((28560 + n)) \
    "$SERVER_JAVA" $SERVER_RUNTIME_OPTS $SERVER_JAVA_OPTS -Dcoupon.rate-limit.redis.key-prefix="$RATE_LIMIT_PREFIX" -jar "$JAR" >> "$OUT/node-$n.log" 2>&1 &
  PIDS[$n]=$!
}

ready() {   # n
  curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$((28560 + $1))/ready" | grep -q 200
}

await_ready() {   # n
  for _ in $(seq 1 240); do ready "$1" && return 0; sleep 0.5; done
  echo "node $1 did not become ready" >&2
  return 1
}

stop_all() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}

build_jar
fresh_database
rm -f "$OUT"/node-*.log
trap 'stop_all; stop_broker' EXIT
start_broker "$OUT/broker.log"
redis-cli -h 127.0.0.1 --scan --pattern 'coupon:rl:*' | xargs -r redis-cli -h 127.0.0.1 del > /dev/null

for n in 1 2 3; do start_node "$n"; done
for n in 1 2 3; do await_ready "$n"; done
echo "three nodes ready: $(curl -s http://127.0.0.1:28561/cluster/members | grep -o '"status":"Up"' | wc -l) members Up"
export ADMIN_TOKEN="$(mint bench-admin ADMIN 4)"
POLICY_ID=$(api POST /api/coupon-policies "{\"couponName\":\"Chaos sale\",\"discountType\":\"PERCENTAGE\",\"discountValue\":10,
  \"distributionType\":\"FIRST_COME\",\"maxIssueCount\":$STOCK,\"maxIssuePerUser\":1,\"validDays\":7,
  \"validFrom\":\"2020-01-01T00:00:00Z\",\"validUntil\":\"2099-12-31T23:59:59Z\"}" | json_field policyId)
export POLICY_ID
echo "policy $POLICY_ID with $STOCK coupons; $DURATION s of load over three nodes"

for n in 1 2 3; do
  RUN_ID=$((10 + n)) SEND_SECONDS=$((DURATION - 3)) PACE_MS=0 wrk -t1 -c60 -d"${DURATION}s" --latency --timeout 10s \
    -s "$HERE/../flash-sale/issue.lua" "http://127.0.0.1:$((18080 + n))" > "$OUT/wrk-$n.log" 2>&1 &
  PIDS[wrk$n]=$!
done
sleep $((DURATION / 3))
echo "$(date +%T) SIGKILL node 2"
kill -9 "${PIDS[2]}"
sleep 8
echo "$(date +%T) restarting node 2"
start_node 2
await_ready 2
echo "$(date +%T) node 2 ready again"
for n in 1 2 3; do wait "${PIDS[wrk$n]}" || true; done

CREATED=0
for n in 1 2 3; do
  r=$(grep '^RESULT' "$OUT/wrk-$n.log" | sed 's/^RESULT //')
  echo "$r" > "$OUT/wrk-$n.json"
  echo "node $n: $r"
  CREATED=$((CREATED + $(echo "$r" | json_field created)))
done
MEMBERS=$(curl -s http://127.0.0.1:28561/cluster/members | grep -o '"status":"Up"' | wc -l)
ISSUED=$(api GET "/api/coupon-policies/$POLICY_ID" | json_field currentIssueCount)
AUDIT=$(journal_audit "$POLICY_ID")
echo "$AUDIT" > "$OUT/audit.json"
echo "201 answers: $CREATED; currentIssueCount: $ISSUED; journal: $AUDIT; members Up after the restart: $MEMBERS"
python3 - "$CREATED" "$ISSUED" "$AUDIT" "$STOCK" "$MEMBERS" <<'PY'
import json, sys
created, issued, audit, stock, members = int(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
checks = {
    "nothing beyond stock": audit["coupons"] <= stock,
    "no user over the limit": audit["maxCouponsPerUser"] <= 1,
    "every 201 is in the journal": audit["coupons"] >= created,
    "entity and journal agree": issued == audit["coupons"],
    "gapless coupon sequences": audit["gaplessSequences"],
    "the restarted node rejoined": members == 3,
}
for name, ok in checks.items():
    print(("ok   " if ok else "FAIL ") + name)
print("issued without a 201 (in flight on the killed node): %d" % (audit["coupons"] - created))
sys.exit(0 if all(checks.values()) else 1)
PY
