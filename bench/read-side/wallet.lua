-- Wallet pages of random users among USERS (each holds a few coupons), newest first, 20 per page.
-- PACE_MS > 0: each connection waits that long between an answer and its next request (a user reading).
-- done() prints the answers by status and the latency percentiles as one JSON line.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("seed", #threads)
end

function init(args)
  math.randomseed(os.time() + seed)
  users = tonumber(os.getenv("USERS"))
  headers = { ["Authorization"] = "Bearer " .. os.getenv("SERVICE_TOKEN") }
  ok, failed = 0, 0
  pace_ms = tonumber(os.getenv("PACE_MS") or "0")
end

function delay()
  return pace_ms
end

function request()
  return wrk.format("GET", string.format("/api/coupons/users/%d?limit=20", math.random(1, users)), headers)
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 else failed = failed + 1 end
end

function done(summary, latency, requests)
  local o, f = 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok")
    f = f + t:get("failed")
  end
  io.write(string.format('RESULT {"ok":%d,"failed":%d,"perSecond":%.0f,"p50ms":%.2f,"p90ms":%.2f,"p99ms":%.2f,"maxms":%.2f}\n',
    o, f, o / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
