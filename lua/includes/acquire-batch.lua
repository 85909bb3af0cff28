--[[
  The body of every acquire script (acquire.lua and the one-algorithm scripts): decides the
  batches of requests of several quotas against the limits in `algorithms`, as documented in
  acquire.lua. Included after the algorithms the script supports.
]]

local now = clock(ARGV[1])
local record = ARGV[2] == "1"
local remember = int_arg(ARGV[3], "remember", 0)

-- A call resent by the client after a reconnect (the reply of the first run was lost) gets
-- the first run's answer and changes nothing: the quota is never charged twice.
if record and remember > 0 then
  local first_run = redis.call("GET", KEYS[1])
  if first_run then return cmsgpack.unpack(first_run) end
end

-- A call that reaches Redis after its caller gave up (a stall, a reconnect) admits nothing:
-- nobody would use the slot, and a lease would stay taken until it expired.
if record and ARGV[4] ~= "" and now > int_arg(ARGV[4], "deadline", 0) then
  fail("the call arrived after its deadline; nothing was admitted")
end

-- Parse and validate everything before anything is written. Rule sets are sent once and
-- shared by every quota of the call that uses them (distinct quotas often share their rules).
local set_count = int_arg(ARGV[5], "rule set count", 1)
local sets, at = {}, 6
for s = 1, set_count do
  local limit_count = int_arg(ARGV[at], "limit count", 1)
  sets[s] = parse_specs(at + 1, limit_count)
  at = at + 1 + limit_count * 4
end
local quota_count = int_arg(ARGV[at], "quota count", 1)
at = at + 1
local quotas, key_at = {}, 2
for q = 1, quota_count do
  local set = sets[int_arg(ARGV[at], "rule set", 1)]
  if set == nil then fail("rule set " .. ARGV[at] .. " is not defined") end
  local request_count = int_arg(ARGV[at + 1], "request count", 1)
  at = at + 2
  local requests = {}
  for r = 1, request_count do
    local cost = int_arg(ARGV[at + 1], "cost", 0)
    if cost > set.capacity then fail("cost " .. cost .. " exceeds the capacity " .. set.capacity .. " of a limit") end
    if record and (cost < 1 or ARGV[at] == "") then fail("an acquire needs a request id and a cost >= 1") end
    local reserve = int_arg(ARGV[at + 3], "reserve", 0)
    -- Units of each limit this request must leave free (headroom kept for higher priorities).
    local holds = {}
    for i, rule in ipairs(set) do
      local size = rule.algo.size(rule.spec)
      holds[i] = math.floor(size * reserve / 1000)
      -- a concurrency limit takes one slot whatever the cost
      local need = rule.algo.capacity(rule.spec) == math.huge and 1 or cost
      if record and need + holds[i] > size then
        fail("cost " .. need .. " plus the headroom " .. holds[i] .. " can never fit limit " .. i)
      end
    end
    requests[r] = { id = ARGV[at], cost = cost, max_wait = int_arg(ARGV[at + 2], "maxWait", -1), holds = holds }
    at = at + 4
  end
  quotas[q] = { pause = KEYS[key_at], set = set, key_at = key_at, requests = requests }
  key_at = key_at + #set + 1
end
if at ~= #ARGV + 1 or key_at ~= #KEYS + 1 then
  fail("ARGV and KEYS do not match the counts given: " .. #ARGV .. " ARGV, " .. #KEYS .. " keys")
end

-- Each limit maps a time to its earliest admissible time at or after it; iterate to the
-- common fixed point. Token buckets and sliding windows settle in one pass, fixed windows
-- in a few.
local function decide(limits, paused, cost, holds)
  local slot, blocking = math.max(now, paused), 0
  if paused > now then blocking = -1 end
  for _ = 1, 64 do
    local moved = false
    for i, l in ipairs(limits) do
      local t, expiry = l.algo.earliest(l.state, l.spec, cost, slot, l.key, holds[i])
      if t == nil then return false, math.max(0, expiry - now), i, false end
      if t > slot then slot, blocking, moved = t, i, true end
    end
    if not moved then return true, slot - now, blocking, true end
  end
  return false, slot - now, blocking, true
end

-- Quotas are decided one after the other, each loading state after the previous one wrote,
-- so a call equals separate calls in this order even when two quotas share a key.
local reply, admitted_any = {}, false
for _, quota in ipairs(quotas) do
  local limits = {}
  for i, rule in ipairs(quota.set) do
    local key = KEYS[quota.key_at + i]
    limits[i] = { algo = rule.algo, spec = rule.spec, key = key, state = rule.algo.load(key, rule.spec, now) }
  end
  local paused = tonumber(redis.call("GET", quota.pause)) or 0
  for _, request in ipairs(quota.requests) do
    local settled, wait, blocking, queueable = decide(limits, paused, request.cost, request.holds)
    local admitted = settled and (request.max_wait < 0 or wait <= request.max_wait)
    if admitted and record then
      for _, l in ipairs(limits) do
        l.algo.commit(l.state, l.spec, request.cost, now + wait, request.id)
      end
      quota.dirty = true
      admitted_any = true
    end
    local n = #reply
    reply[n + 1], reply[n + 2], reply[n + 3], reply[n + 4], reply[n + 5] =
      admitted and 1 or 0, wait, now, blocking, queueable and 0 or 1
    for i, l in ipairs(limits) do
      reply[n + 4 + 2 * i], reply[n + 5 + 2 * i] = l.algo.report(l.state, l.spec, now)
    end
  end
  -- One write per key for all of this quota's admissions, before the next quota loads.
  if quota.dirty then
    for _, l in ipairs(limits) do
      l.algo.save(l.state, l.key, l.spec, now)
    end
  end
end
-- Only a call that spent something needs its reply kept: a resent denial spent nothing, and
-- deciding it again is what the caller will see. MessagePack keeps 64-bit integers exact.
if record and remember > 0 and admitted_any then redis.call("SET", KEYS[1], cmsgpack.pack(reply), "PX", remember) end
return reply
