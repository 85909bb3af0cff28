--[[
  Bucketed sliding window, for large limits (1,000,000 per day) in bounded memory.

  Spec: limit = admissions per window, window = microseconds, bucket = microseconds per bucket.
  State: one hash; field "<k>" = units admitted in [k*bucket, (k+1)*bucket), field "last" =
  time of the latest admission. A bucket counts against a slot t while any part of it lies in
  (t - window, t], so admissions are over-counted by at most one bucket: the window may
  under-admit by up to limit*bucket/window but never over-admits.
  Memory: at most window/bucket + 1 fields (plus buckets reserved ahead).
  Widened (algorithms/arrival.lua): the window grows by the margin rounded up to whole buckets,
  the limit to the share.
  Written out in place for one request in acquire-one-sliding-buckets.lua: change them together.
]]

--- @include "includes/counter-hash"

algorithms.swb = {
  parse = function(a, b, c)
    return { limit = int_arg(a, "limit", 1), window = int_arg(b, "window", 1), bucket = int_arg(c, "bucket", 1) }
  end,
  widen = function(spec, margin, share, need, _, cap)
    local widened = math.ceil(margin / spec.bucket) * spec.bucket
    -- `life`: the margin may grow to the cap while a bucket written now still counts
    local life = math.max(0, math.ceil(cap / spec.bucket) * spec.bucket - widened)
    return { limit = share_of(spec.limit, share, need), window = spec.window + widened, bucket = spec.bucket, life = life }
  end,
  capacity = function(spec)
    return spec.limit
  end,
  size = function(spec)
    return spec.limit
  end,
  load = function(key, spec, now)
    local raw = redis.call("HGETALL", key)
    local state = { last = 0, live = 0, buckets = {}, dead = {}, top = nil, added = {} }
    for i = 1, #raw, 2 do
      local field, value = raw[i], tonumber(raw[i + 1])
      if field == "last" then
        state.last = value
      else
        local k = tonumber(field)
        if (k + 1) * spec.bucket <= now - spec.window then
          state.dead[#state.dead + 1] = field
        else
          state.buckets[#state.buckets + 1] = { k = k, n = value }
          state.live = state.live + value
          if state.top == nil or k > state.top then state.top = k end
        end
      end
    end
    table.sort(state.buckets, function(x, y) return x.k < y.k end)
    return state
  end,
  earliest = function(state, spec, n, t, _, headroom)
    local base = math.max(t, state.last)
    local excess = state.live + n + headroom - spec.limit
    if excess <= 0 then return base end
    for _, b in ipairs(state.buckets) do
      excess = excess - b.n
      if excess <= 0 then return math.max(base, (b.k + 1) * spec.bucket + spec.window) end
    end
  end,
  commit = function(state, spec, n, t)
    local k = math.floor(t / spec.bucket)
    state.added[k] = (state.added[k] or 0) + n
    state.last = math.max(state.last, t)
    state.live = state.live + n
    -- Slots never go back in time, so k is at or after every bucket held: append or add to the last.
    local newest = state.buckets[#state.buckets]
    if newest ~= nil and newest.k == k then
      newest.n = newest.n + n
    else
      state.buckets[#state.buckets + 1] = { k = k, n = n }
    end
    if state.top == nil or k > state.top then state.top = k end
  end,
  save = function(state, key, spec, now)
    save_counters(state, key, (state.top + 1) * spec.bucket + spec.window + (spec.life or 0) - now)
  end,
  report = function(state, spec, now)
    if state.live == 0 then return spec.limit, now end
    return math.max(0, spec.limit - state.live), (state.top + 1) * spec.bucket + spec.window
  end,
  refund = function(key, spec, n, t)
    refund_counter(key, math.floor(t / spec.bucket), n)
  end,
}
