#!/usr/bin/env bash
# Flash-sale benchmark: one FIRST_COME policy with ample stock, wrk with every request a new user,
# at 200 and 1,000 connections (saturating), 200 connections paced below saturation, 200 connections with
# every request timed as made (one connection per wrk thread; see issue.lua), then the same
# connections against a trivial route (the machine's ceiling), and finally an exactness check: the
# policy's journal against the 201 answers wrk counted.
# The warm-up (WARMUP_SECONDS, not measured) stands for the traffic a server has served before a sale:
# the JIT compilers were still taking 12% of the service's CPU 40 s into a run. It ends with 20 rounds of
# 200 connections opened at once (warm_connection_setup), the connections such a server has accepted.
# Usage: bench/flash-sale/run.sh [seconds per run]   (needs wrk and PostgreSQL on 127.0.0.1)
set -euo pipefail
DURATION="${1:-30}"
WARMUP_SECONDS="${WARMUP_SECONDS:-120}"
BENCH_DB="${BENCH_DB:-coupon_bench}"
HTTP_PORT="${HTTP_PORT:-18080}"
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../lib/server.sh"
OUT="$HERE/results"
mkdir -p "$OUT"
WRK_THREADS="${WRK_THREADS:-2}"
TAIL=3   # seconds at the end of a run in which no request is sent, so that all are answered

build_jar
fresh_database
trap 'stop_server; stop_broker' EXIT
start_broker "$OUT/broker.log"
start_server "$OUT/server.log"
export ADMIN_TOKEN="$(mint bench-admin ADMIN 4)"

POLICY_ID=$(api POST /api/coupon-policies '{"couponName":"Flash sale","discountType":"PERCENTAGE","discountValue":10,
  "distributionType":"FIRST_COME","maxIssueCount":500000000,"maxIssuePerUser":1,"validDuration":"PT2H",
  "validFrom":"2020-01-01T00:00:00Z","validUntil":"2099-12-31T23:59:59Z"}' | json_field policyId)
export POLICY_ID
echo "policy $POLICY_ID; $DURATION s per run; wrk threads $WRK_THREADS; server: $SERVER_JAVA_OPTS"

TOTAL=0
issue_run() {   # name run-id connections seconds [pace-ms] [wrk threads]
  local name="$1" run_id="$2" connections="$3" seconds="$4" pace="${5:-0}" threads="${6:-$WRK_THREADS}"
  local result before created per_request=0
  # One connection per thread: issue.lua can then time each request itself (see there).
  if [ "$threads" = "$connections" ]; then per_request=1; fi
  before=$(cpu_sample)
  result=$(RUN_ID="$run_id" SEND_SECONDS=$((seconds - TAIL)) PACE_MS="$pace" PER_REQUEST="$per_request" \
    wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency --timeout 10s \
    -s "$HERE/issue.lua" "http://127.0.0.1:$HTTP_PORT" | grep '^RESULT' | sed 's/^RESULT //')
  created=$(echo "$result" | json_field created)
  TOTAL=$((TOTAL + created))
  echo "$result" > "$OUT/$name.json"
  cpu_report "$before" "$(cpu_sample)" "$created" > "$OUT/$name-cpu.json"
  printf '%-28s %s\n%-28s %s\n' "$name" "$result" "  CPU per coupon" "$(cat "$OUT/$name-cpu.json")"
}

issue_run warm-up 1 200 "$WARMUP_SECONDS"
warm_connection_setup "$OUT"
issue_run issue-200 2 200 "$DURATION"
issue_run issue-1000 3 1000 "$DURATION"
issue_run issue-200-paced-7ms 4 200 "$DURATION" 7
# wrk's percentiles are corrected for coordinated omission (issue.lua): this run times every request as made.
# Its 200 client threads cost the service CPU, so its rate is lower than issue-200's.
issue_run issue-200-per-request 5 200 "$DURATION" 0 200

for c in 200 1000; do
  r=$(wrk -t"$WRK_THREADS" -c"$c" -d"${DURATION}s" --latency -s "$HERE/trivial.lua" "http://127.0.0.1:$HTTP_PORT/health" \
    | grep '^RESULT' | sed 's/^RESULT //')
  echo "$r" > "$OUT/trivial-$c.json"
  printf '%-28s %s\n' "trivial-$c" "$r"
done

ISSUED=$(api GET "/api/coupon-policies/$POLICY_ID" | json_field currentIssueCount)
stop_server
AUDIT=$(journal_audit "$POLICY_ID")
echo "$AUDIT" > "$OUT/audit.json"
echo "201 answers counted by wrk: $TOTAL; policy currentIssueCount: $ISSUED; journal: $AUDIT"
python3 - "$TOTAL" "$ISSUED" "$AUDIT" <<'PY'
import json, sys
total, issued, audit = int(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
ok = total == issued == audit["coupons"] == audit["distinctUsers"] and audit["maxCouponsPerUser"] <= 1 and audit["gaplessSequences"]
print("EXACT: every 201 is in the journal, nothing else is, no user twice" if ok else "MISMATCH")
sys.exit(0 if ok else 1)
PY
