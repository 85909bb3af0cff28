--[[
  Exact sliding window: a log of admissions.

  Spec: limit = admissions per window, window = microseconds, unused.
  State: one sorted set; member "<requestId>" (or "<requestId>:<i>" for the i-th unit of a
  cost > 1), score = admission time in microseconds (a reservation's future slot).
  Guarantee: in ANY interval of length window, at most limit admissions. Admissions are
  recorded in time order (a new slot is never before the last one), so checking the window
  that ends at the new slot covers every window that contains it.
  Memory: one member per admitted unit still inside the window (about 60-80 bytes each).
]]

local function log_member(id, i)
  if i == 1 then return id end
  return id .. ":" .. i
end

algorithms.sw = {
  uses_id = true, -- log members are named after request ids
  parse = function(a, b)
    return { limit = int_arg(a, "limit", 1), window = int_arg(b, "window", 1) }
  end,
  capacity = function(spec)
    return spec.limit
  end,
  size = function(spec)
    return spec.limit
  end,
  load = function(key, spec, now)
    local floor = now - spec.window
    local total = redis.call("ZCARD", key)
    local live = redis.call("ZCOUNT", key, "(" .. fmt(floor), "+inf")
    local last = redis.call("ZRANGE", key, -1, -1, "WITHSCORES")
    -- `stored` entries are live in Redis; `added` ones (this call's) are written by save().
    return { floor = floor, dead = total - live, live = live, stored = live, added = {}, last = tonumber(last[2]) or 0 }
  end,
  earliest = function(state, spec, n, t, key, hold)
    local base = math.max(t, state.last)
    local excess = state.live + n + hold - spec.limit
    if excess <= 0 then return base end
    -- The excess-th oldest live entry must have left the window: slot >= its time + window.
    -- This call's entries come after the stored ones (slots never go back in time).
    if excess > state.stored then return math.max(base, state.added[excess - state.stored].t + spec.window) end
    local rank = state.dead + excess - 1
    local entry = redis.call("ZRANGE", key, int_text(rank), int_text(rank), "WITHSCORES")
    return math.max(base, tonumber(entry[2]) + spec.window)
  end,
  commit = function(state, _, n, t, id)
    for i = 1, n do
      state.added[#state.added + 1] = { t = t, member = log_member(id, i) }
    end
    state.live = state.live + n
    state.last = math.max(state.last, t)
  end,
  save = function(state, key, spec, now)
    for first = 1, #state.added, 500 do
      local args = {}
      for i = first, math.min(#state.added, first + 499) do
        args[#args + 1] = fmt(state.added[i].t)
        args[#args + 1] = state.added[i].member
      end
      redis.call("ZADD", key, unpack(args))
    end
    if state.dead > 0 then redis.call("ZREMRANGEBYSCORE", key, "-inf", fmt(state.floor)) end
    expire_after(key, state.last + spec.window - now)
  end,
  report = function(state, spec, now)
    if state.live == 0 then return spec.limit, now end
    return math.max(0, spec.limit - state.live), state.last + spec.window
  end,
  refund = function(key, _, n, _, id)
    for i = 1, n do
      redis.call("ZREM", key, log_member(id, i))
    end
  end,
}
