-- The ceiling: the same connections against GET /health (no auth, no JSON, no actor).
function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format('RESULT {"requests":%d,"seconds":%.1f,"perSecond":%.0f,"p50ms":%.2f,"p99ms":%.2f}\n',
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
