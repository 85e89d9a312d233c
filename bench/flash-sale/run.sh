#!/usr/bin/env bash
# Flash-sale benchmark: one FIRST_COME policy with ample stock, wrk with every request a new user,
# at 200 and 1,000 connections; then the same connections against a trivial route (the machine's
# ceiling) and an exactness check of the journal against the 201 answers counted.
# Usage: bench/flash-sale/run.sh [seconds per run]   (needs wrk, PostgreSQL on 127.0.0.1)
set -euo pipefail
DURATION="${1:-30}"
BENCH_DB="${BENCH_DB:-coupon_bench}"
HTTP_PORT="${HTTP_PORT:-18080}"
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../lib/server.sh"
OUT="$HERE/results"
mkdir -p "$OUT"
WRK_THREADS="${WRK_THREADS:-2}"

build_jar
fresh_database
trap stop_server EXIT
start_server "$OUT/server.log"
export ADMIN_TOKEN="$(mint bench-admin ADMIN 4)"

STOCK=100000000
POLICY_ID=$(api POST /api/coupon-policies "{\"couponName\":\"Flash sale\",\"discountType\":\"PERCENTAGE\",\"discountValue\":10,
  \"distributionType\":\"FIRST_COME\",\"maxIssueCount\":$STOCK,\"maxIssuePerUser\":1,\"validDuration\":\"PT2H\",
  \"validFrom\":\"2020-01-01T00:00:00Z\",\"validUntil\":\"2099-12-31T23:59:59Z\"}" | json_field policyId)
export POLICY_ID
echo "policy $POLICY_ID, $DURATION s per run, wrk threads $WRK_THREADS"

run_wrk() {
  local run_id="$1" connections="$2" seconds="$3"
  RUN_ID="$run_id" wrk -t"$WRK_THREADS" -c"$connections" -d"${seconds}s" --latency --timeout 10s \
    -s "$HERE/issue.lua" "http://127.0.0.1:$HTTP_PORT" | grep '^RESULT' | sed 's/^RESULT //'
}

TOTAL=0
add_created() { TOTAL=$((TOTAL + $(echo "$1" | json_field created))); }

echo "warm-up (10 s, 200 connections)"
r=$(run_wrk 1 200 10); add_created "$r"
echo "  warm-up: $r"
echo "issue, 200 connections:"
r=$(run_wrk 2 200 "$DURATION"); add_created "$r"; echo "$r" > "$OUT/issue-200.json"; echo "  $r"
echo "issue, 1000 connections:"
r=$(run_wrk 3 1000 "$DURATION"); add_created "$r"; echo "$r" > "$OUT/issue-1000.json"; echo "  $r"

for c in 200 1000; do
  r=$(wrk -t"$WRK_THREADS" -c"$c" -d"${DURATION}s" --latency -s "$HERE/trivial.lua" "http://127.0.0.1:$HTTP_PORT/health" \
    | grep '^RESULT' | sed 's/^RESULT //')
  echo "$r" > "$OUT/trivial-$c.json"; echo "trivial GET /health, $c connections: $r"
done

ISSUED=$(api GET "/api/coupon-policies/$POLICY_ID" | json_field currentIssueCount)
stop_server
AUDIT=$(java -cp "$JAR" couponservice.dev.JournalAudit "$POLICY_ID" 2>/dev/null | tail -n 1)
echo "$AUDIT" > "$OUT/audit.json"
echo "201 answers counted by wrk: $TOTAL; policy currentIssueCount: $ISSUED; journal: $AUDIT"
python3 - "$TOTAL" "$ISSUED" "$AUDIT" <<'PY'
import json, sys
total, issued, audit = int(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
ok = total == issued == audit["coupons"] == audit["distinctUsers"] and audit["maxCouponsPerUser"] <= 1 and audit["gaplessSequences"]
print("EXACT" if ok else "MISMATCH")
sys.exit(0 if ok else 1)
PY
