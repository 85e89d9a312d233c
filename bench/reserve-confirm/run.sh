#!/usr/bin/env bash
# Reserve + confirm benchmark: many distinct coupons (issued beforehand by direct issue), each reserved
# and then confirmed over HTTP with a SERVICE token, at 200 connections. Afterwards the read model must
# show exactly the confirmed coupons as USED.
# Usage: bench/reserve-confirm/run.sh [seconds]   (needs wrk and PostgreSQL on 127.0.0.1)
set -euo pipefail
DURATION="${1:-30}"
# Not measured: stands for the traffic a server has served before; the JIT compilers are busy for minutes.
WARMUP_SECONDS="${WARMUP_SECONDS:-60}"
BENCH_DB="${BENCH_DB:-coupon_bench}"
HTTP_PORT="${HTTP_PORT:-18080}"
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../lib/server.sh"
OUT="$HERE/results"
mkdir -p "$OUT"
WRK_THREADS="${WRK_THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-200}"
COUPONS="${COUPONS:-600000}"
TAIL=3

build_jar
fresh_database
trap 'stop_server; stop_broker' EXIT
start_broker "$OUT/broker.log"
start_server "$OUT/server.log"
export ADMIN_TOKEN="$(mint bench-admin ADMIN 4)"
export SERVICE_TOKEN="$(mint order-service SERVICE 4)"

POLICY_ID=$(api POST /api/coupon-policies "{\"couponName\":\"Checkout\",\"discountType\":\"FIXED_AMOUNT\",\"discountValue\":3000,
  \"minimumOrderAmount\":10000,\"distributionType\":\"DIRECT\",\"maxIssueCount\":$COUPONS,\"validDays\":30,
  \"validFrom\":\"2020-01-01T00:00:00Z\",\"validUntil\":\"2099-12-31T23:59:59Z\"}" | json_field policyId)
export POLICY_ID
echo "policy $POLICY_ID: issuing $COUPONS coupons (coupon sequence s owned by user s)"
for ((from = 1; from <= COUPONS; from += 8000)); do   # 8,000 ids of 6 digits stay under the 64 KiB body limit
  to=$((from + 7999 < COUPONS ? from + 7999 : COUPONS))
  users=$(python3 -c "print(','.join(str(u) for u in range($from, $to + 1)))")
  issued=$(api POST /api/coupons/direct-issue "{\"couponPolicyId\":$POLICY_ID,\"userIds\":[$users]}" | json_field successCount)
  [ "$issued" -eq $((to - from + 1)) ] || { echo "direct issue of $from..$to issued $issued"; exit 1; }
done

pairs_run() {   # name seconds first-seq last-seq
  local name="$1" seconds="$2"
  local result before
  before=$(cpu_sample)
  result=$(SEQ_FROM="$3" SEQ_TO="$4" THREADS="$WRK_THREADS" SEND_SECONDS=$((seconds - TAIL)) \
    wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${seconds}s" --latency --timeout 10s \
    -s "$HERE/pairs.lua" "http://127.0.0.1:$HTTP_PORT" | grep '^RESULT' | sed 's/^RESULT //')
  echo "$result" > "$OUT/$name.json"
  cpu_report "$before" "$(cpu_sample)" "$(echo "$result" | json_field confirmed)" > "$OUT/$name-cpu.json"
  printf '%-22s %s\n%-22s %s\n' "$name" "$result" "  CPU per pair" "$(cat "$OUT/$name-cpu.json")"
}

HALF=$((COUPONS / 2))
pairs_run warm-up "$WARMUP_SECONDS" 1 "$HALF"
pairs_run pairs-$CONNECTIONS "$DURATION" $((HALF + 1)) "$COUPONS"

CONFIRMED=$(( $(json_field confirmed < "$OUT/warm-up.json") + $(json_field confirmed < "$OUT/pairs-$CONNECTIONS.json") ))
RESERVED=$(( $(json_field reserved < "$OUT/warm-up.json") + $(json_field reserved < "$OUT/pairs-$CONNECTIONS.json") ))
for _ in $(seq 1 60); do
  USED=$(psql -h "$PG_HOST" -U "$PG_USER" -d "$BENCH_DB" -tAc "SELECT count(*) FROM coupon_issues WHERE status = 'USED'")
  [ "$USED" -ge "$CONFIRMED" ] && break
  sleep 1
done
HELD=$(psql -h "$PG_HOST" -U "$PG_USER" -d "$BENCH_DB" -tAc "SELECT count(*) FROM coupon_issues WHERE status = 'RESERVED'")
echo "reservations answered 200: $RESERVED; confirms answered 200: $CONFIRMED; USED in the read model: $USED; still RESERVED: $HELD"
if [ "$RESERVED" -eq "$CONFIRMED" ] && [ "$USED" -eq "$CONFIRMED" ] && [ "$HELD" -eq 0 ]; then
  echo "EXACT: every reservation was confirmed once, every confirm is a USED coupon"
else
  echo "MISMATCH"; exit 1
fi
