--[[
  The second half of acquire.lua and the one-algorithm scripts (after acquire-parse): decides
  each request against every limit of its quota through the algorithm interface, writes each
  touched key once per quota, and leaves the reply documented in acquire.lua to acquire-reply.
  A quota with an arrival part (algorithms/arrival.lua) has it loaded first: its margin and
  share widen the quota's other limits for this call.
]]

-- Each limit maps a time to its earliest admissible time at or after it; iterate to the
-- common fixed point. Token buckets and sliding windows settle in one pass, fixed windows
-- in a few. Exact logs may place a slot in a gap before their reservations; two logs whose
-- gaps never meet would move the slot one gap per pass, so after GAP_PASSES passes they
-- stop looking for gaps and the request queues after the reservations.
-- A request that cannot wait (maxWait 0, a tryAcquire) is not paced: pacing spreads slots that
-- are waited for, and must not turn a burst the limits allow into denials.
local GAP_PASSES = 32
local function decide(set, specs, states, keys_at, paused, cost, headrooms, paced)
  local slot, blocking = math.max(now, paused), 0
  if paused > now then blocking = -1 end
  for pass = 1, 64 do
    local moved = false
    for i = 1, #set do
      if paced or i ~= set.arrival then
        local rule = set[i]
        local t, expiry =
          rule.algo.earliest(states[i], specs[i], cost, slot, KEYS[keys_at + i], headrooms[i], pass <= GAP_PASSES)
        if t == nil then return false, math.max(0, expiry - now), i, false end
        if t > slot then slot, blocking, moved = t, i, true end
      end
    end
    -- one limit settles in one pass
    if not moved or #set == 1 then return true, slot - now, blocking, true end
  end
  return false, slot - now, blocking, true
end

-- Quotas are decided one after the other, each loading state after the previous one wrote,
-- so a call equals separate calls in this order even when two quotas share a key.
local reply, n, admitted_any = { now }, 1, false
for q = 1, quota_count do
  local quota = quotas[q]
  local set, key_at = quota.set, quota.key_at
  local limit_count = #set
  local cost, max_wait, headrooms = quota.cost, quota.max_wait, quota.headrooms
  local states, specs, arrival = {}, {}, set.arrival
  for i = 1, limit_count do
    specs[i] = set[i].spec
  end
  if arrival then
    states[arrival] = set[arrival].algo.load(KEYS[key_at + arrival], specs[arrival], now)
    widen_all(set, specs, states[arrival], cost, headrooms, max_wait ~= 0)
  end
  for i = 1, limit_count do
    if i ~= arrival then states[i] = set[i].algo.load(KEYS[key_at + i], specs[i], now) end
  end
  local paused = tonumber(redis.call("GET", KEYS[key_at])) or 0
  local dirty = false
  for j = quota.first, quota.last do
    local id = ids[j]
    local settled, wait, blocking, queueable = decide(set, specs, states, key_at, paused, cost, headrooms, max_wait ~= 0)
    local admitted = settled and (max_wait < 0 or wait <= max_wait)
    if admitted and record then
      for i = 1, limit_count do
        set[i].algo.commit(states[i], specs[i], cost, now + wait, id, now, max_wait ~= 0, named)
      end
      dirty = true
    end
    reply[n + 1], reply[n + 2] = (blocking + 1) * 4 + (queueable and 0 or 2) + (admitted and 1 or 0), wait
    n = n + 2
    for i = 1, limit_count do
      local remaining, reset = set[i].algo.report(states[i], specs[i], now)
      reply[n + 1], reply[n + 2] = remaining, reset - now
      n = n + 2
    end
  end
  -- One write per key for all of this quota's admissions, before the next quota loads.
  if dirty then
    admitted_any = true
    for i = 1, limit_count do
      set[i].algo.save(states[i], KEYS[key_at + i], specs[i], now)
    end
  end
end
