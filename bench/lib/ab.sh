#!/usr/bin/env bash
# A/B of two jars: runs one benchmark command against the baseline jar (A), then the candidate (B), PAIRS
# times, and prints each run's headline numbers. This machine's speed drifts between minutes, so compare
# A and B within a pair, never across pairs (bench/README.md, "Measuring on this machine").
# Usage: bench/lib/ab.sh <baseline.jar> <candidate.jar> <pairs> <benchmark command...>
#   e.g. cp target/coupon-service.jar /tmp/base.jar; (change, ./mvnw -B -q package -DskipTests)
#        bench/lib/ab.sh /tmp/base.jar target/coupon-service.jar 3 bench/payments/run.sh
# Every run's whole output goes to AB_OUT (default /tmp/ab-<start time>/<pair>-<A|B>.log), with a copy of the
# benchmark's results/ directory. HEADLINE (an awk regular expression) picks the lines shown and FIELDS the
# JSON fields kept of them; a "CPU per ..." line right after a shown line is shown too.
set -uo pipefail
[ $# -ge 4 ] || { sed -n '5,7p' "$0" >&2; exit 2; }
BASELINE="$(realpath "$1")" CANDIDATE="$(realpath "$2")" PAIRS="$3"
shift 3
AB_OUT="${AB_OUT:-/tmp/ab-$(date +%Y%m%d-%H%M%S)}"
HEADLINE="${HEADLINE:-^(issue-[0-9]|trivial-|pairs-|wallet-(saturating|paced|handler)|flash-sale-during|payment\.completed applied|node [0-9]:|\{\"(policy|coupon)|EXACT|MISMATCH|FAIL)}"
FIELDS="${FIELDS:-createdPerSecond perSecond pairsPerSecond appliedPerSecond p50ms p99ms requestP99ms p99s serviceUs postgresUs brokerUs redisUs machineBusy}"
RESULTS="$(dirname "$1")/results"
mkdir -p "$AB_OUT"

# The shown lines of a run's log, their JSON reduced to FIELDS (each under the name of the object holding it).
headline() {   # log
  HEADLINE="$HEADLINE" FIELDS=" $FIELDS " awk '
    BEGIN { re = ENVIRON["HEADLINE"]; fields = ENVIRON["FIELDS"] }
    $0 ~ re || (shown && $0 ~ /^ *CPU per/) {
      shown = ($0 ~ re)
      start = index($0, "{")
      if (start == 0) { print "    " $0; next }
      out = substr($0, 1, start - 1); rest = substr($0, start); label = ""
      while (match(rest, /"[^"]+": ?(\{|[^,{}]+)/)) {
        pair = substr(rest, RSTART, RLENGTH); rest = substr(rest, RSTART + RLENGTH)
        key = pair; sub(/^"/, "", key); sub(/".*/, "", key)
        value = pair; sub(/^"[^"]+": ?/, "", value)
        if (value == "{") label = " " key ":"
        else if (index(fields, " " key " ") && value != "-1.0") { out = out label " " key "=" value; label = "" }
      }
      print "    " out
      next
    }
    { shown = 0 }' "$1"
}

for pair in $(seq 1 "$PAIRS"); do
  for side in A B; do
    jar="$BASELINE"; [ "$side" = B ] && jar="$CANDIDATE"
    log="$AB_OUT/$pair-$side.log"
    JAR="$jar" "$@" > "$log" 2>&1
    rc=$?
    [ -d "$RESULTS" ] && cp -r "$RESULTS" "$AB_OUT/$pair-$side-results"
    echo "pair $pair $side: $jar (ended $(date +%T), exit $rc)"
    headline "$log"
  done
done | tee "$AB_OUT/summary.txt"
echo "logs: $AB_OUT"
