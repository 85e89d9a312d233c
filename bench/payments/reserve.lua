-- Reserves each coupon of a range once (coupon sequence s owned by user s, reservation id s), split
-- over the threads; when a thread's range is done it stops sending.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_index", #threads)
end

function init(args)
  local from = tonumber(os.getenv("SEQ_FROM"))
  local to = tonumber(os.getenv("SEQ_TO"))
  local count = tonumber(os.getenv("THREADS"))
  local per_thread = math.ceil((to - from + 1) / count)
  next_seq = from + (thread_index - 1) * per_thread
  last_seq = math.min(next_seq + per_thread - 1, to)
  policy_base = tonumber(os.getenv("POLICY_ID")) * 1000000000
  headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("SERVICE_TOKEN") }
  reserved, refused = 0, 0
end

function delay()
  if next_seq > last_seq then
    return 3600000
  end
  return 0
end

function request()
  local seq = next_seq
  next_seq = next_seq + 1
  return wrk.format("POST", "/api/coupons/reserve", headers, string.format(
    '{"reservationId":"%.0f","userId":%.0f,"couponId":%.0f,"orderAmount":50000,"orderId":"O-%.0f"}',
    seq, seq, policy_base + seq, seq))
end

function response(status, headers, body)
  if status == 200 then
    reserved = reserved + 1
  else
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local r, x = 0, 0
  for _, t in ipairs(threads) do
    r = r + t:get("reserved")
    x = x + t:get("refused")
  end
  io.write(string.format('RESULT {"reserved":%d,"refused":%d}\n', r, x))
end
