-- Every request issues to a user id never used before: thread-local counters under a per-run,
-- per-thread prefix. Counts the answers by status; done() prints them as one JSON line.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_index", #threads)
end

function init(args)
  run_id = tonumber(os.getenv("RUN_ID") or "1")
  next_user = (run_id * 100 + thread_index) * 10000000
  created, sold_out, other = 0, 0, 0
  path = "/api/coupon-policies/" .. os.getenv("POLICY_ID") .. "/issue"
  headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("ADMIN_TOKEN") }
end

function request()
  next_user = next_user + 1
  return wrk.format("POST", path, headers, string.format('{"userId":%.0f}', next_user))
end

function response(status, headers, body)
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
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'RESULT {"created":%d,"soldOut":%d,"other":%d,"errors":%d,"seconds":%.1f,"createdPerSecond":%.0f,' ..
    '"p50ms":%.2f,"p90ms":%.2f,"p99ms":%.2f,"p999ms":%.2f,"maxms":%.2f}\n',
    c, s, o, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    seconds, c / seconds, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, latency.max / 1000))
end
