#!/usr/bin/env bash
# Read side under write load: a flash sale runs (wrk, every request a new user) while wallet pages are
# read at 200 connections. Reports the wallet's latency percentiles and the projections' lag (from the
# service's own projection_lag_seconds histogram, scraped before and after), plus a wallet-only run. From the
# same scrapes, the wallet's time inside the service during the sale (handler_latency.py): the rest of wrk's
# figure is the connection's (parsing, rendering, waiting for a thread).
# Wallet readers are 200 connections that each wait WALLET_PACE_MS between pages (people reading), and
# saturating (no wait) for the throughput ceiling; the flash sale's 200 connections wait SALE_PACE_MS.
# The sale runs alone for WARMUP_SECONDS first (not measured), as on a server that has issued before:
# a cold issuance path spends the measured window in the JIT compilers.
# Usage: bench/read-side/run.sh [seconds]   (needs wrk, PostgreSQL and Redis)
set -euo pipefail
DURATION="${1:-30}"
WALLET_PACE_MS="${WALLET_PACE_MS:-50}"
SALE_PACE_MS="${SALE_PACE_MS:-20}"
WARMUP_SECONDS="${WARMUP_SECONDS:-60}"
BENCH_DB="${BENCH_DB:-coupon_bench}"
HTTP_PORT="${HTTP_PORT:-18080}"
USERS="${USERS:-20000}"
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../lib/server.sh"
OUT="$HERE/results"
mkdir -p "$OUT"

build_jar
fresh_database
trap 'stop_server; stop_broker' EXIT
start_broker "$OUT/broker.log"
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

wallet() {   # name seconds pace-ms
  PACE_MS="$3" wrk -t1 -c200 -d"$2s" --latency --timeout 10s -s "$HERE/wallet.lua" "http://127.0.0.1:$HTTP_PORT" \
    | grep '^RESULT' | sed 's/^RESULT //' > "$OUT/$1.json"
  printf '%-26s %s\n' "$1" "$(cat "$OUT/$1.json")"
}

wallet wallet-warm-up 15 0
warm_connection_setup "$OUT"
wallet wallet-saturating "$DURATION" 0
wallet wallet-paced "$DURATION" "$WALLET_PACE_MS"

sale() {   # name seconds run-id
  RUN_ID="$3" SEND_SECONDS=$(($2 - 2)) PACE_MS="$SALE_PACE_MS" wrk -t1 -c200 -d"$2s" --latency --timeout 10s \
    -s "$HERE/../flash-sale/issue.lua" "http://127.0.0.1:$HTTP_PORT" | grep '^RESULT' | sed 's/^RESULT //' > "$OUT/$1.json"
}
sale flash-sale-warm-up "$WARMUP_SECONDS" 6
printf '%-26s %s\n' "flash-sale-warm-up" "$(cat "$OUT/flash-sale-warm-up.json")"

curl -s "http://127.0.0.1:$HTTP_PORT/metrics" > "$OUT/metrics-before.txt"
sale flash-sale-during "$DURATION" 7 &
SALE=$!
wallet wallet-paced-during-flash-sale "$DURATION" "$WALLET_PACE_MS"
wait $SALE
sleep 2
curl -s "http://127.0.0.1:$HTTP_PORT/metrics" > "$OUT/metrics-after.txt"
printf '%-26s %s\n' "flash-sale-during" "$(cat "$OUT/flash-sale-during.json")"
python3 "$HERE/lag.py" "$OUT/metrics-before.txt" "$OUT/metrics-after.txt" | tee "$OUT/lag.json"
printf '%-26s ' "wallet-handler-during"
python3 "$HERE/handler_latency.py" "$OUT/metrics-before.txt" "$OUT/metrics-after.txt" | tee "$OUT/wallet-handler-during-flash-sale.json"
