-- Every request issues to a user id never used before: thread-local counters under a per-run,
-- per-thread prefix. SEND_SECONDS after the start no new request is sent, so every request made is
-- answered and counted before wrk stops (the exactness check compares these counts with the journal).
-- PACE_MS > 0 waits that long between a response and the next request on a connection (a paced,
-- unsaturated load). done() prints the counts and latency percentiles as one JSON line.
-- wrk's own percentiles are "corrected" for coordinated omission: before done() runs, wrk adds, for every
-- latency L above twice the mean interval I between a connection's requests, made-up samples L - I, L - 2I, ...
-- So the first request of each connection, which waits for the server to accept and set up all the
-- connections wrk opens at once, becomes dozens of samples. PER_REQUEST=1 (with one connection per wrk
-- thread, -t N -c N, so that a thread's request and response belong together) also times every request
-- as it was made, and done() reports those percentiles as request*ms.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_usec; } timeval;
  int gettimeofday(timeval *tv, void *tz);
]]
local function now_ms()
  local tv = ffi.new("timeval")
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000 + tonumber(tv.tv_usec) / 1000
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_index", #threads)
end

function init(args)
  local run_id = tonumber(os.getenv("RUN_ID") or "1")
  next_user = (run_id * 1000 + thread_index) * 10000000
  created, sold_out, other = 0, 0, 0
  per_request = os.getenv("PER_REQUEST") == "1"
  latencies = {}
  path = "/api/coupon-policies/" .. os.getenv("POLICY_ID") .. "/issue"
  headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("ADMIN_TOKEN") }
  stop_sending_at = now_ms() + tonumber(os.getenv("SEND_SECONDS")) * 1000
  pace_ms = tonumber(os.getenv("PACE_MS") or "0")
end

function delay()
  if now_ms() >= stop_sending_at then
    return 3600000
  end
  return pace_ms
end

function request()
  sent_at = now_ms()
  next_user = next_user + 1
  return wrk.format("POST", path, headers, string.format('{"userId":%.0f}', next_user))
end

function response(status, headers, body)
  if per_request then
    latencies[#latencies + 1] = now_ms() - sent_at
  end
  if status == 201 then
    created = created + 1
  elseif status == 410 then
    sold_out = sold_out + 1
  else
    other = other + 1
    if other <= 3 then io.stderr:write("status " .. status .. ": " .. body .. "\n") end
  end
end

function done(summary, latency, requests)
  local c, s, o = 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    s = s + t:get("sold_out")
    o = o + t:get("other")
  end
  local timed = {}
  for _, t in ipairs(threads) do
    for _, l in ipairs(t:get("latencies")) do timed[#timed + 1] = l end
  end
  table.sort(timed)
  local function timed_ms(p)
    return #timed == 0 and -1 or timed[math.max(1, math.ceil(#timed * p / 100))]
  end
  local seconds = tonumber(os.getenv("SEND_SECONDS"))
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'RESULT {"created":%d,"soldOut":%d,"other":%d,"errors":%d,"sendSeconds":%d,"createdPerSecond":%.0f,' ..
    '"p50ms":%.1f,"p90ms":%.1f,"p99ms":%.1f,"p999ms":%.1f,"maxms":%.1f,' ..
    '"requestsTimed":%d,"requestP50ms":%.1f,"requestP90ms":%.1f,"requestP99ms":%.1f,"requestP999ms":%.1f,"requestMaxms":%.1f}\n',
    c, s, o, errors, seconds, c / seconds, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, latency.max / 1000,
    #timed, timed_ms(50), timed_ms(90), timed_ms(99), timed_ms(99.9), timed_ms(100)))
end
