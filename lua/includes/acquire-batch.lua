--[[
  The body of every acquire script (acquire.lua and the one-algorithm scripts): decides a
  batch of requests against the limits in `algorithms`, as documented in acquire.lua.
  Included after the algorithms the script supports.
]]

local now = clock(ARGV[1])
local record = ARGV[2] == "1"
local count = int_arg(ARGV[3], "request count", 1)
local requests, largest = {}, 0
for r = 1, count do
  local at = 4 + (r - 1) * 3
  local request = { id = ARGV[at], cost = int_arg(ARGV[at + 1], "cost", 0), max_wait = int_arg(ARGV[at + 2], "maxWait", -1) }
  if record and (request.cost < 1 or request.id == nil or request.id == "") then
    fail("an acquire needs a request id and a cost >= 1")
  end
  largest = math.max(largest, request.cost)
  requests[r] = request
end
local limits = parse_limits(4 + count * 3, 4, 1, largest)

local paused = tonumber(redis.call("GET", KEYS[1])) or 0
for _, l in ipairs(limits) do
  l.state = l.algo.load(l.key, l.spec, now)
end

-- Each limit maps a time to its earliest admissible time at or after it; iterate to the
-- common fixed point. Token buckets and sliding windows settle in one pass, fixed windows
-- in a few.
local function decide(cost)
  local slot, blocking = math.max(now, paused), 0
  if paused > now then blocking = -1 end
  for _ = 1, 64 do
    local moved = false
    for i, l in ipairs(limits) do
      local at, expiry = l.algo.earliest(l.state, l.spec, cost, slot, l.key)
      if at == nil then return false, math.max(0, expiry - now), i, false end
      if at > slot then slot, blocking, moved = at, i, true end
    end
    if not moved then return true, slot - now, blocking, true end
  end
  return false, slot - now, blocking, true
end

local reply = {}
for _, request in ipairs(requests) do
  local settled, wait, blocking, queueable = decide(request.cost)
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
return reply
