"""The wallet listing's time inside the service (handler start to response, the request histogram of /metrics)
between two scrapes, for the 200 answers: requests, interpolated p50 and p99, and the share under each bucket
bound. Beside wrk's latency, it tells the handler's part from the connection's (parsing, waiting for a thread)."""
import json
import re
import sys

from lag import deltas, quantile

WALLET = re.compile(r'^http_server_requests_seconds_bucket\{method="GET",route="(/api/coupons/users/\{userId\})",'
                    r'status="200",le="([^"]+)"\} (\S+)$')

delta = deltas(sys.argv[1], sys.argv[2], WALLET).get("/api/coupons/users/{userId}")
total = delta[float("inf")] if delta else 0
if not total:
    print(json.dumps({"requests": 0}))
else:
    print(json.dumps({
        "requests": int(total),
        "p50ms": round(quantile(0.5, delta) * 1000, 1),
        "p99ms": round(quantile(0.99, delta) * 1000, 1),
        "shareUnderMs": {f"{le * 1000:g}": round(count / total, 4) for le, count in sorted(delta.items())
                         if le != float("inf") and le <= 0.1},
    }))
