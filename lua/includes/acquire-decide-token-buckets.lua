--[[
  The second half of acquire-token-bucket.lua (after acquire-parse): the decisions of
  acquire-decide with algorithms/token-bucket.lua written out in place, because token-bucket
  quotas are the hot path and Redis's Lua pays for every function call and table. Same
  arithmetic, same writes, same reply; the conformance suite checks both against the model.

  Every earliest time of a bucket is max(t, TAT - (burst - cost - headroom) * interval + margin),
  which does not move with t: one pass over the limits, then the arrival part's pacing (which
  only moves a slot later), finds the slot.
]]

local max, floor = math.max, math.floor
local reply, n, admitted_any = { now }, 1, false
for q = 1, quota_count do
  local quota = quotas[q]
  local set, key_at = quota.set, quota.key_at
  local limit_count = #set
  local cost, max_wait, headrooms = quota.cost, quota.max_wait, quota.headrooms
  -- The arrival part, when the quota has one: its margin and share widen the buckets, its
  -- pacing spaces the slots (algorithms/arrival.lua).
  local arrival, arrival_state = set.arrival, nil
  local specs = {}
  for i = 1, limit_count do
    specs[i] = set[i].spec
  end
  if arrival then
    arrival_state = arrival_part.load(KEYS[key_at + arrival], specs[arrival], now)
    widen_all(set, specs, arrival_state, cost, headrooms, max_wait ~= 0)
  end
  local tats = {}
  for i = 1, limit_count do
    if i ~= arrival then tats[i] = tonumber(redis.call("GET", KEYS[key_at + i])) or 0 end
  end
  local paused = tonumber(redis.call("GET", KEYS[key_at])) or 0
  local dirty = false
  for _ = quota.first, quota.last do
    local slot, blocking = max(now, paused), 0
    if paused > now then blocking = -1 end
    for i = 1, limit_count do
      if i ~= arrival then
        local spec = specs[i]
        local t = tats[i] - (spec.burst - cost - headrooms[i]) * spec.interval + spec.margin
        if t > slot then slot, blocking = t, i end
      end
    end
    -- A request that cannot wait (a tryAcquire) is not paced, as in acquire-decide.
    if arrival and max_wait ~= 0 then
      local t = arrival_part.earliest(arrival_state, specs[arrival], cost, slot)
      if t > slot then slot, blocking = t, arrival end
    end
    local wait = slot - now
    local admitted = max_wait < 0 or wait <= max_wait
    if admitted and record then
      for i = 1, limit_count do
        if i ~= arrival then tats[i] = max(tats[i], slot) + cost * specs[i].interval end
      end
      if arrival then arrival_part.commit(arrival_state, specs[arrival], cost, slot, nil, now, max_wait ~= 0) end
      dirty = true
    end
    -- code: 4 * (blocking + 1) + admitted; a bucket is always queueable
    reply[n + 1], reply[n + 2] = (blocking + 1) * 4 + (admitted and 1 or 0), wait
    n = n + 2
    for i = 1, limit_count do
      if i == arrival then
        local margin, share = arrival_part.report(arrival_state, specs[i], now)
        reply[n + 1], reply[n + 2] = margin, share - now
      else
        local spec = specs[i]
        local tat = max(tats[i], now)
        reply[n + 1], reply[n + 2] = max(0, floor((now + spec.burst * spec.interval - tat) / spec.interval)), tat - now
      end
      n = n + 2
    end
  end
  if dirty then
    admitted_any = true
    for i = 1, limit_count do
      if i == arrival then
        arrival_part.save(arrival_state, KEYS[key_at + i], specs[i], now)
      else
        save_tat(KEYS[key_at + i], tats[i], now, specs[i].keep)
      end
    end
  end
end
