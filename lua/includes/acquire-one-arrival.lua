--[[
  The arrival part of a quota (algorithms/arrival.lua) for the one-request scripts, written out
  in place: its load and its pacing, without the tables and closures of the algorithm interface
  (Redis's Lua pays for each, on every call). Same steps as arrival_part.load and .earliest:
  change both together; the model-equivalence property checks both against the model.

  Leaves the state as locals am (margin), ae (share), al (latest slot), ag, as, ap, apt (see
  algorithms/arrival.lua); without an arrival part, a margin of 0 and a whole share. And, for a
  request that may wait, paced(t): the earliest slot >= t that pacing allows.
]]

local am, ae, al, ag, as, ap, apt = margin0, 1000, 0, now, now, 0, 0
if arrival then
  local raw = redis.call("HMGET", KEYS[4], "m", "e", "l", "g", "s", "p", "pt")
  if raw[1] then
    local m, e, l, g, s, p, pt =
      tonumber(raw[1]), tonumber(raw[2]), tonumber(raw[3]), tonumber(raw[4]), tonumber(raw[5]), tonumber(raw[6]),
      tonumber(raw[7])
    -- arrival_lifetime of the stored state: a state past it is absent
    local lifetime = math.max(1, 4 * cap, pace)
    if m ~= margin0 or e < 1000 or p > 0 then lifetime = math.max(1, 40 * cap) end
    if now < math.max(l, g, s, pt) + lifetime then am, ae, al, ag, as, ap, apt = m, e, l, g, s, p, pt end
  end
  if cap == 0 then am, ae = margin0, 1000 end
end

-- Made only for a request that may wait: the only one pacing applies to.
local paced = nil
if arrival and waits then
  paced = function(t)
    if pace > 0 and t > al - pace then return math.max(t, al + pace) end
    return t
  end
end
