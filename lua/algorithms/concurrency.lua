--[[
  Concurrency: a distributed semaphore of leases.

  Spec: limit = holders at once, lease = microseconds a lease lives unless released, unused.
  State: one sorted set; member = request id (the lease id), score = lease expiry. A holder
  that dies frees its slot when its lease expires. Each acquire takes ONE slot whatever its
  cost (cost counts quota units, a holder is one request in flight). A full semaphore cannot
  be reserved ahead: the caller waits for a release, published on the channel named like the
  key, or for the earliest expiry that the reply reports.
  Memory: one member per live lease.
]]

algorithms.cc = {
  uses_id = true, -- a lease is the request id
  parse = function(a, b)
    return { limit = int_arg(a, "limit", 1), lease = int_arg(b, "lease", 1) }
  end,
  capacity = function()
    return math.huge
  end,
  size = function(spec)
    return spec.limit
  end,
  load = function(key, _, now)
    local floor = "(" .. fmt(now)
    local next_expiry = redis.call("ZRANGEBYSCORE", key, floor, "+inf", "WITHSCORES", "LIMIT", 0, 1)
    local last = redis.call("ZRANGE", key, -1, -1, "WITHSCORES")
    return {
      live = redis.call("ZCOUNT", key, floor, "+inf"),
      next = tonumber(next_expiry[2]),
      top = tonumber(last[2]) or 0,
      added = {},
    }
  end,
  earliest = function(state, spec, _, t, _, headroom)
    if state.live + 1 + headroom <= spec.limit then return t end
    return nil, state.next
  end,
  commit = function(state, spec, _, t, id)
    local expiry = t + spec.lease
    state.added[#state.added + 1] = fmt(expiry)
    state.added[#state.added + 1] = id
    state.live = state.live + 1
    state.top = math.max(state.top, expiry)
    if state.next == nil or expiry < state.next then state.next = expiry end
  end,
  save = function(state, key, _, now)
    for first = 1, #state.added, 1000 do
      redis.call("ZADD", key, unpack(state.added, first, math.min(#state.added, first + 999)))
    end
    redis.call("ZREMRANGEBYSCORE", key, "-inf", fmt(now))
    expire_after(key, state.top - now)
  end,
  report = function(state, spec, now)
    return math.max(0, spec.limit - state.live), state.next or now
  end,
  -- A remembered grant stands only while its lease is held (not released, not expired).
  holds = function(key, _, id, now)
    local expiry = redis.call("ZSCORE", key, id)
    return expiry ~= false and tonumber(expiry) > now
  end,
  refund = function(key, _, _, _, id)
    if redis.call("ZREM", key, id) > 0 then redis.call("PUBLISH", key, id) end
  end,
}
