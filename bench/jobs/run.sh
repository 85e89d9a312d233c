#!/usr/bin/env bash
# Bulk issuance jobs against direct issue, in one run: USERS users issued by one job (POST /api/issuance-jobs, one
# JSON body) and the same users issued through direct-issue, one batch after the other, each to a DIRECT policy of
# its own, with the Kafka publisher running. For each way: users issued per second (from the first request until
# the job is COMPLETED, or the last batch answered) and the time until every coupon.issued is on Kafka (the
# publisher has committed past every coupon event: it commits once the broker acknowledged). The ratio is job over
# direct issue. A warm-up round of WARMUP_USERS through both ways comes first, not measured.
# direct-issue takes up to 10,000 users, but its body is limited to 64 KiB: 8,000 ids of 7 digits fit (BATCH).
# Usage: bench/jobs/run.sh   (USERS=1000000, WARMUP_USERS=100000, BATCH=8000; needs PostgreSQL on 127.0.0.1)
set -euo pipefail
BENCH_DB="${BENCH_DB:-coupon_bench}"
HTTP_PORT="${HTTP_PORT:-18080}"
USERS="${USERS:-1000000}"
WARMUP_USERS="${WARMUP_USERS:-100000}"
BATCH="${BATCH:-8000}"
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../lib/server.sh"
OUT="$HERE/results"
mkdir -p "$OUT"
BODIES="$(mktemp -d)"

build_jar
fresh_database
trap 'stop_server; stop_broker; rm -rf "$BODIES"' EXIT
start_broker "$OUT/broker.log"
start_server "$OUT/server.log"
export ADMIN_TOKEN="$(mint bench-admin ADMIN 4)"

now_ms() { date +%s%3N; }

sql() { psql -h "$PG_HOST" -U "$PG_USER" -d "$BENCH_DB" -tAc "$1"; }

policy() {   # stock -> policy id
  api POST /api/coupon-policies "{\"couponName\":\"Bulk\",\"discountType\":\"FIXED_AMOUNT\",\"discountValue\":1000,
    \"distributionType\":\"DIRECT\",\"maxIssueCount\":$1,\"validDays\":30,
    \"validFrom\":\"2020-01-01T00:00:00Z\",\"validUntil\":\"2099-12-31T23:59:59Z\"}" | json_field policyId
}

# The request bodies of users 1..n, written before the clock starts: the job's one body, and direct issue's batches.
write_bodies() {   # users job-policy direct-policy
  rm -f "$BODIES"/*.json
  python3 - "$1" "$2" "$3" "$BATCH" "$BODIES" <<'PYTHON'
import sys
users, job_policy, direct_policy, batch, directory = sys.argv[1:]
users, batch = int(users), int(batch)
def ids(first, last):
    return ",".join(map(str, range(first, last + 1)))
with open(f"{directory}/job.json", "w") as out:
    out.write(f'{{"couponPolicyId":{job_policy},"name":"bench","issuedBy":"bench","userIds":[{ids(1, users)}]}}')
for first in range(1, users + 1, batch):
    with open(f"{directory}/direct-{first:09d}.json", "w") as out:
        out.write(f'{{"couponPolicyId":{direct_policy},"issuedBy":"bench",'
                  f'"userIds":[{ids(first, min(first + batch - 1, users))}]}}')
PYTHON
}

# The publisher has committed past every coupon event in the journal: every coupon.issued so far is on Kafka.
published() {
  [ "$(sql "SELECT count(*) FROM (SELECT tag, max(event_id) AS newest FROM event_tag WHERE tag LIKE 'coupon-%'
    GROUP BY tag) t WHERE NOT EXISTS (SELECT 1 FROM pekko_projection_offset_store o
    WHERE o.projection_name = 'coupon-event-publisher' AND o.projection_key = t.tag
    AND CAST(o.current_offset AS BIGINT) >= t.newest)")" -eq 0 ]
}

await_published() {
  until published; do sleep 0.1; done
}

# Issues the users of job.json with one job; prints "<issued ms> <published ms>", both from the submission on.
run_job() {
  local started job_id status issued
  started=$(now_ms)
  job_id=$(curl -s -X POST "http://127.0.0.1:$HTTP_PORT/api/issuance-jobs" -H "Authorization: Bearer $ADMIN_TOKEN" \
    -H 'Content-Type: application/json' --data-binary "@$BODIES/job.json" | json_field jobId)
  status=RUNNING
  while [ "$status" = RUNNING ]; do
    sleep 0.1
    status=$(api GET "/api/issuance-jobs/$job_id" | json_field status)
  done
  issued=$(($(now_ms) - started))
  [ "$status" = COMPLETED ] || { echo "job $job_id ended $status" >&2; exit 1; }
  await_published
  echo "$issued $(($(now_ms) - started))"
}

# Issues the users of the direct-*.json batches, one after the other; prints "<issued ms> <published ms>".
run_direct() {
  local started code issued
  started=$(now_ms)
  for body in "$BODIES"/direct-*.json; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$HTTP_PORT/api/coupons/direct-issue" \
      -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' --data-binary "@$body")
    [ "$code" = 201 ] || { echo "direct issue answered $code" >&2; exit 1; }
  done
  issued=$(($(now_ms) - started))
  await_published
  echo "$issued $(($(now_ms) - started))"
}

# Both ways for n users, each on a policy of its own: times, CPU per user, and the EXACT check of both policies.
round() {   # name users
  local name="$1" users="$2" before job_policy direct_policy direct_times job_times
  job_policy=$(policy "$users")
  direct_policy=$(policy "$users")
  write_bodies "$users" "$job_policy" "$direct_policy"
  before=$(cpu_sample)
  direct_times=$(run_direct)
  cpu_report "$before" "$(cpu_sample)" "$users" > "$OUT/$name-direct-cpu.json"
  before=$(cpu_sample)
  job_times=$(run_job)
  cpu_report "$before" "$(cpu_sample)" "$users" > "$OUT/$name-job-cpu.json"
  for policy in "$job_policy" "$direct_policy"; do
    local issued rows
    issued=$(api GET "/api/coupon-policies/$policy" | json_field currentIssueCount)
    rows=$(sql "SELECT count(*) FROM coupon_issues WHERE policy_id = $policy")
    [ "$issued" -eq "$users" ] && [ "$rows" -eq "$users" ] \
      || { echo "MISMATCH: policy $policy issued $issued, $rows rows, of $users" >&2; exit 1; }
  done
  # shellcheck disable=SC2086 # the times are two numbers each
  python3 - "$users" "$BATCH" $direct_times $job_times > "$OUT/$name.json" <<'PYTHON'
import json, sys
users, batch, direct_issued, direct_published, job_issued, job_published = map(int, sys.argv[1:])
def way(issued, published):
    return {"issuedSeconds": issued / 1000, "usersPerSecond": round(users * 1000 / issued),
            "publishedSeconds": published / 1000}
print(json.dumps({"users": users, "directIssueBatch": batch, "direct": way(direct_issued, direct_published),
                  "job": way(job_issued, job_published), "jobOverDirect": round(direct_issued / job_issued, 2),
                  "exact": True}))
PYTHON
  echo "$name: $(cat "$OUT/$name.json")"
  echo "  CPU per user, direct issue: $(cat "$OUT/$name-direct-cpu.json")"
  echo "  CPU per user, job:          $(cat "$OUT/$name-job-cpu.json")"
}

if [ "$WARMUP_USERS" -gt 0 ]; then
  round warm-up "$WARMUP_USERS"
fi
round jobs "$USERS"
echo "EXACT: each policy issued every one of its users once, in the journal and in the read model"
