#!/usr/bin/env bash
# Read side under write load: a flash sale runs (wrk, every request a new user) while wallet pages are
# read at 200 connections. Reports the wallet's latency percentiles and the projections' lag (from the
# service's own projection_lag_seconds histogram, scraped before and after), plus a wallet-only run.
# Usage: bench/read-side/run.sh [seconds] [flash-sale pace ms]   (needs wrk, PostgreSQL and Redis)
set -euo pipefail
DURATION="${1:-30}"
PACE_MS="${2:-10}"
BENCH_DB="${BENCH_DB:-coupon_bench}"
HTTP_PORT="${HTTP_PORT:-18080}"
KAFKA_PORT="${KAFKA_PORT:-19092}"
USERS="${USERS:-20000}"
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../lib/server.sh"
OUT="$HERE/results"
mkdir -p "$OUT"

build_jar
fresh_database
java -cp "$JAR" couponservice.dev.KafkaBroker "$KAFKA_PORT" > "$OUT/broker.log" 2>&1 &
BROKER_PID=$!
trap 'stop_server; kill $BROKER_PID 2>/dev/null; wait $BROKER_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do grep -q "listening on" "$OUT/broker.log" && break; sleep 0.5; done
export KAFKA_BOOTSTRAP_SERVERS="localhost:$KAFKA_PORT"
start_server "$OUT/server.log"
export ADMIN_TOKEN="$(mint bench-admin ADMIN 4)" SERVICE_TOKEN="$(mint bench-service SERVICE 4)" USERS

# Wallets to read: five policies, each issued to every user.
for p in 1 2 3 4 5; do
  id=$(api POST /api/coupon-policies "{\"couponName\":\"Wallet $p\",\"discountType\":\"FIXED_AMOUNT\",\"discountValue\":1000,
    \"distributionType\":\"DIRECT\",\"validDays\":$((p * 7)),\"validFrom\":\"2020-01-01T00:00:00Z\",
    \"validUntil\":\"2099-12-31T23:59:59Z\"}" | json_field policyId)
  for ((from = 1; from <= USERS; from += 10000)); do
    to=$((from + 9999 < USERS ? from + 9999 : USERS))
    api POST /api/coupons/direct-issue "{\"couponPolicyId\":$id,\"userIds\":[$(seq -s, "$from" "$to")]}" > /dev/null
  done
done
until [ "$(psql -h "$PG_HOST" -U "$PG_USER" -d "$BENCH_DB" -tAc 'SELECT count(*) FROM coupon_issues')" -ge $((USERS * 5)) ]; do
  sleep 1
done
POLICY_ID=$(api POST /api/coupon-policies '{"couponName":"Flash sale","discountType":"PERCENTAGE","discountValue":10,
  "distributionType":"FIRST_COME","maxIssueCount":500000000,"maxIssuePerUser":1,"validDays":1,
  "validFrom":"2020-01-01T00:00:00Z","validUntil":"2099-12-31T23:59:59Z"}' | json_field policyId)
export POLICY_ID

wallet() {   # name seconds
  wrk -t1 -c200 -d"$2s" --latency --timeout 10s -s "$HERE/wallet.lua" "http://127.0.0.1:$HTTP_PORT" \
    | grep '^RESULT' | sed 's/^RESULT //' > "$OUT/$1.json"
  printf '%-26s %s\n' "$1" "$(cat "$OUT/$1.json")"
}

wallet wallet-warm-up 15
wallet wallet-alone "$DURATION"

curl -s "http://127.0.0.1:$HTTP_PORT/metrics" > "$OUT/metrics-before.txt"
RUN_ID=7 SEND_SECONDS=$((DURATION - 2)) PACE_MS="$PACE_MS" wrk -t1 -c200 -d"${DURATION}s" --latency --timeout 10s \
  -s "$HERE/../flash-sale/issue.lua" "http://127.0.0.1:$HTTP_PORT" | grep '^RESULT' | sed 's/^RESULT //' \
  > "$OUT/flash-sale-during.json" &
SALE=$!
wallet wallet-during-flash-sale "$DURATION"
wait $SALE
sleep 2
curl -s "http://127.0.0.1:$HTTP_PORT/metrics" > "$OUT/metrics-after.txt"
printf '%-26s %s\n' "flash-sale-during" "$(cat "$OUT/flash-sale-during.json")"
python3 "$HERE/lag.py" "$OUT/metrics-before.txt" "$OUT/metrics-after.txt" | tee "$OUT/lag.json"
