-- Reserve then confirm many distinct coupons. Each thread walks its own range of coupon sequences
-- (coupon seq s is owned by user s); a reservation answered 200 queues its confirm, which the next
-- request of that thread sends. After SEND_SECONDS no new reservation starts, but queued confirms are
-- still sent, so that every reservation made is confirmed before wrk stops.
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
  local from = tonumber(os.getenv("SEQ_FROM"))
  local to = tonumber(os.getenv("SEQ_TO"))
  local count = tonumber(os.getenv("THREADS"))
  local per_thread = math.floor((to - from + 1) / count)
  next_seq = from + (thread_index - 1) * per_thread
  last_seq = next_seq + per_thread - 1
  policy_base = tonumber(os.getenv("POLICY_ID")) * 1000000000
  headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("SERVICE_TOKEN") }
  confirms = {}
  reserved, confirmed, refused, exhausted = 0, 0, 0, 0
  stop_sending_at = now_ms() + tonumber(os.getenv("SEND_SECONDS")) * 1000
end

function delay()
  if #confirms == 0 and (now_ms() >= stop_sending_at or next_seq > last_seq) then
    return 3600000
  end
  return 0
end

function request()
  local pending = table.remove(confirms)
  if pending then
    return wrk.format("POST", "/api/coupons/reservations/" .. pending .. "/confirm", headers,
      '{"orderId":"O-' .. pending .. '","paymentId":"P-' .. pending .. '"}')
  end
  local seq = next_seq
  next_seq = next_seq + 1
  return wrk.format("POST", "/api/coupons/reserve", headers, string.format(
    '{"reservationId":"%.0f","userId":%.0f,"couponId":%.0f,"orderAmount":50000,"orderId":"O-%.0f"}',
    seq, seq, policy_base + seq, seq))
end

function response(status, headers, body)
  if status ~= 200 then
    refused = refused + 1
    if refused <= 3 then io.stderr:write("status " .. status .. ": " .. body .. "\n") end
    return
  end
  if string.find(body, '"status":"USED"', 1, true) then
    confirmed = confirmed + 1
  else
    reserved = reserved + 1
    table.insert(confirms, string.match(body, '"reservationId":"([^"]+)"'))
  end
end

function done(summary, latency, requests)
  local r, c, x = 0, 0, 0
  for _, t in ipairs(threads) do
    r = r + t:get("reserved")
    c = c + t:get("confirmed")
    x = x + t:get("refused")
  end
  local seconds = tonumber(os.getenv("SEND_SECONDS"))
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'RESULT {"reserved":%d,"confirmed":%d,"refused":%d,"errors":%d,"sendSeconds":%d,"pairsPerSecond":%.0f,' ..
    '"requestsPerSecond":%.0f,"p50ms":%.1f,"p90ms":%.1f,"p99ms":%.1f,"p999ms":%.1f,"maxms":%.1f}\n',
    r, c, x, errors, seconds, c / seconds, (r + c) / seconds, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, latency.max / 1000))
end
