--[[
  Writes of the counter hashes shared by the bucketed sliding window and the fixed window: a
  field per bucket or window index, plus "last" (the latest admission time).
]]

-- One write per touched field for all of a call's admissions, then the TTL.
local function save_counters(state, key, expires_in)
  for k, n in pairs(state.added) do
    redis.call("HINCRBY", key, fmt(k), int_text(n))
  end
  redis.call("HSET", key, "last", fmt(state.last))
  if #state.dead > 0 then redis.call("HDEL", key, unpack(state.dead)) end
  expire_after(key, expires_in)
end

-- Gives n units back to one counter, removing it when it empties.
local function refund_counter(key, k, n)
  local field = fmt(k)
  if redis.call("HINCRBY", key, field, int_text(-n)) <= 0 then redis.call("HDEL", key, field) end
end
