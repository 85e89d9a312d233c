#!/usr/bin/env bash
# Payments benchmark: WARMUP + COUPONS coupons are issued and reserved over HTTP, then one payment.completed.v1
# event per reservation is produced in bulk, and we measure how fast the service consumes and applies
# them (until its consumer group has committed them all). Afterwards every coupon must be USED and the
# dead-letter topic empty. The service runs in the prod profile against a broker of its own.
# A first round of WARMUP payments is applied and not measured: the service and the broker compile their
# consuming paths then (JIT took a third of the service's CPU in an unwarmed run), as a long-running
# consumer has long done. After 50,000 the compilers still took 16-18% of the service's CPU in the measured
# round; after 100,000, 11-12%.
# Usage: bench/payments/run.sh   (needs wrk and PostgreSQL on 127.0.0.1)
set -euo pipefail
BENCH_DB="${BENCH_DB:-coupon_bench}"
HTTP_PORT="${HTTP_PORT:-18080}"
COUPONS="${COUPONS:-100000}"
WARMUP="${WARMUP:-100000}"
TOTAL=$((WARMUP + COUPONS))
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../lib/server.sh"
OUT="$HERE/results"
mkdir -p "$OUT"

build_jar
fresh_database
trap 'stop_server; stop_broker' EXIT
start_broker "$OUT/broker.log"
start_server "$OUT/server.log"
export ADMIN_TOKEN="$(mint bench-admin ADMIN 4)"
export SERVICE_TOKEN="$(mint order-service SERVICE 4)"

POLICY_ID=$(api POST /api/coupon-policies "{\"couponName\":\"Checkout\",\"discountType\":\"FIXED_AMOUNT\",\"discountValue\":3000,
  \"distributionType\":\"DIRECT\",\"maxIssueCount\":$TOTAL,\"validDays\":30,
  \"validFrom\":\"2020-01-01T00:00:00Z\",\"validUntil\":\"2099-12-31T23:59:59Z\"}" | json_field policyId)
export POLICY_ID
echo "policy $POLICY_ID: issuing and reserving $TOTAL coupons"
for ((from = 1; from <= TOTAL; from += 8000)); do
  to=$((from + 7999 < TOTAL ? from + 7999 : TOTAL))
  users=$(python3 -c "print(','.join(str(u) for u in range($from, $to + 1)))")
  api POST /api/coupons/direct-issue "{\"couponPolicyId\":$POLICY_ID,\"userIds\":[$users]}" > /dev/null
done
SEQ_FROM=1 SEQ_TO="$TOTAL" THREADS=2 wrk -t2 -c200 -d600s --timeout 10s -s "$HERE/reserve.lua" \
  "http://127.0.0.1:$HTTP_PORT" > "$OUT/reserve.log" 2>&1 &
WRK_PID=$!
reserved() { psql -h "$PG_HOST" -U "$PG_USER" -d "$BENCH_DB" -tAc "SELECT count(*) FROM coupon_issues WHERE status = 'RESERVED'"; }
previous=-1
for _ in $(seq 1 600); do
  now=$(reserved)
  [ "$now" -ge "$TOTAL" ] || [ "$now" -eq "$previous" ] && break
  previous=$now
  sleep 2
done
kill "$WRK_PID" 2>/dev/null || true
# wrk may build a thread's first request without sending it: reserve whatever it skipped one by one.
for seq in $(psql -h "$PG_HOST" -U "$PG_USER" -d "$BENCH_DB" -tAc \
    "SELECT id - $POLICY_ID * 1000000000 FROM coupon_issues WHERE status = 'ISSUED' AND policy_id = $POLICY_ID"); do
  curl -s -o /dev/null -X POST "http://127.0.0.1:$HTTP_PORT/api/coupons/reserve" -H "Authorization: Bearer $SERVICE_TOKEN" \
    -H 'Content-Type: application/json' \
    -d "{\"reservationId\":\"$seq\",\"userId\":$seq,\"couponId\":$((POLICY_ID * 1000000000 + seq)),\"orderAmount\":50000,\"orderId\":\"O-$seq\"}"
done
echo "reserved: $(reserved)"

# The load prints WARMUP when its first round is applied (the measured round starts then) and RESULT at the
# end: CPU is sampled at both lines.
BEFORE=$(cpu_sample) RESULT=""
while read -r label result; do
  case "$label" in
    WARMUP) BEFORE=$(cpu_sample); echo "warm-up, not measured: $result" ;;
    RESULT) cpu_report "$BEFORE" "$(cpu_sample)" "$COUPONS" > "$OUT/payments-cpu.json"; RESULT="$result" ;;
  esac
done < <(java -cp "$HARNESS_CP" couponservice.bench.PaymentLoad "$KAFKA_BOOTSTRAP_SERVERS" "$POLICY_ID" 1 "$TOTAL" "$WARMUP" \
  2>/dev/null)
echo "$RESULT" > "$OUT/payments.json"
echo "payment.completed applied: $RESULT"
echo "CPU per payment: $(cat "$OUT/payments-cpu.json")"

for _ in $(seq 1 60); do
  USED=$(psql -h "$PG_HOST" -U "$PG_USER" -d "$BENCH_DB" -tAc "SELECT count(*) FROM coupon_issues WHERE status = 'USED'")
  [ "$USED" -ge "$TOTAL" ] && break
  sleep 1
done
echo "USED in the read model: $USED of $TOTAL"
[ "$USED" -eq "$TOTAL" ] && echo "EXACT: every payment applied once" || { echo "MISMATCH"; exit 1; }
