--[[
  The body of every acquire script (acquire.lua and the one-algorithm scripts): decides the
  batches of requests of several quotas against the limits in `algorithms`, as documented in
  acquire.lua. Included after the algorithms the script supports.
]]

local now = clock(ARGV[1])
local record = ARGV[2] == "1"
local quota_count = int_arg(ARGV[3], "quota count", 1)

-- Parse and validate every quota of the call before anything is written.
local quotas, at, key_at = {}, 4, 1
for q = 1, quota_count do
  local request_count = int_arg(ARGV[at], "request count", 1)
  local limit_count = int_arg(ARGV[at + 1], "limit count", 1)
  at = at + 2
  local requests, largest = {}, 0
  for r = 1, request_count do
    local request = { id = ARGV[at], cost = int_arg(ARGV[at + 1], "cost", 0), max_wait = int_arg(ARGV[at + 2], "maxWait", -1) }
    if record and (request.cost < 1 or request.id == nil or request.id == "") then
      fail("an acquire needs a request id and a cost >= 1")
    end
    largest = math.max(largest, request.cost)
    requests[r] = request
    at = at + 3
  end
  quotas[q] = { pause = KEYS[key_at], requests = requests, limits = parse_limits(at, 4, limit_count, key_at, largest) }
  at = at + limit_count * 4
  key_at = key_at + limit_count + 1
end
if at ~= #ARGV + 1 or key_at ~= #KEYS + 1 then
  fail("ARGV and KEYS do not match the counts given: " .. #ARGV .. " ARGV, " .. #KEYS .. " keys")
end

-- Each limit maps a time to its earliest admissible time at or after it; iterate to the
-- common fixed point. Token buckets and sliding windows settle in one pass, fixed windows
-- in a few.
local function decide(limits, paused, cost)
  local slot, blocking = math.max(now, paused), 0
  if paused > now then blocking = -1 end
  for _ = 1, 64 do
    local moved = false
    for i, l in ipairs(limits) do
      local t, expiry = l.algo.earliest(l.state, l.spec, cost, slot, l.key)
      if t == nil then return false, math.max(0, expiry - now), i, false end
      if t > slot then slot, blocking, moved = t, i, true end
    end
    if not moved then return true, slot - now, blocking, true end
  end
  return false, slot - now, blocking, true
end

-- Quotas are decided one after the other, each loading state after the previous one wrote,
-- so a call equals separate calls in this order even when two quotas share a key.
local reply = {}
for _, quota in ipairs(quotas) do
  local limits = quota.limits
  local paused = tonumber(redis.call("GET", quota.pause)) or 0
  for _, l in ipairs(limits) do
    l.state = l.algo.load(l.key, l.spec, now)
  end
  for _, request in ipairs(quota.requests) do
    local settled, wait, blocking, queueable = decide(limits, paused, request.cost)
    local admitted = settled and (request.max_wait < 0 or wait <= request.max_wait)
    if admitted and record then
      for _, l in ipairs(limits) do
        l.algo.commit(l.state, l.key, l.spec, request.cost, now + wait, request.id, now)
      end
    end
    reply[#reply + 1] = admitted and 1 or 0
    reply[#reply + 1] = wait
    reply[#reply + 1] = now
    reply[#reply + 1] = blocking
    reply[#reply + 1] = queueable and 0 or 1
    for _, l in ipairs(limits) do
      local remaining, reset = l.algo.report(l.state, l.spec, now)
      reply[#reply + 1] = remaining
      reply[#reply + 1] = reset
    end
  end
end
return reply
