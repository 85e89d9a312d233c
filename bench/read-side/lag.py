"""Projection lag percentiles from two scrapes of /metrics: the projection_lag_seconds histogram's
bucket counts after minus before, per projection, interpolated within buckets as Prometheus does.
handler_latency.py reads the request histogram the same way."""
import json
import re
import sys

SAMPLE = re.compile(r'^projection_lag_seconds_bucket\{projection="([^"]+)",le="([^"]+)"\} (\S+)$')


def buckets(path, sample=SAMPLE):
    """{series: {upper bound: cumulative count}} of the lines sample matches as (series, le, count)."""
    found = {}
    with open(path) as text:
        for line in text:
            match = sample.match(line.strip())
            if match:
                projection, le, count = match.groups()
                found.setdefault(projection, {})[float("inf") if le == "+Inf" else float(le)] = float(count)
    return found


def quantile(q, cumulative):
    bounds = sorted(cumulative)
    total = cumulative[bounds[-1]]
    if total == 0:
        return None
    rank, lower, below = q * total, 0.0, 0.0
    for bound in bounds:
        count = cumulative[bound]
        if count >= rank:
            if bound == float("inf"):
                return lower
            return lower + (bound - lower) * (rank - below) / max(count - below, 1e-9)
        lower, below = bound, count
    return bounds[-2]


def deltas(before_path, after_path, sample=SAMPLE):
    """Per series, the cumulative bucket counts that the second scrape added to the first."""
    before, after = buckets(before_path, sample), buckets(after_path, sample)
    return {series: {le: counts[le] - before.get(series, {}).get(le, 0.0) for le in counts}
            for series, counts in after.items()}


if __name__ == "__main__":
    result = {}
    for projection, delta in deltas(sys.argv[1], sys.argv[2]).items():
        groups = delta[float("inf")]
        if groups:
            result[projection] = {"groups": int(groups), "p50s": round(quantile(0.5, delta), 3),
                                  "p99s": round(quantile(0.99, delta), 3)}
    print(json.dumps(result))
