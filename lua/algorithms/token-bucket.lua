--[[
  Token bucket as GCRA (generic cell rate algorithm).

  Spec (ARGV triple): interval = microseconds per token (rate rounded UP to a whole
  microsecond, so the bucket is never faster than configured), burst = bucket size, unused.
  State: one string key holding the theoretical arrival time (TAT), in microseconds.
  A request of cost n fits at time t when max(TAT, t) + n*interval - burst*interval <= t,
  so its earliest time is max(t, TAT - (burst - n) * interval). FIFO by construction: every
  reservation pushes TAT forward. Memory: one key, one number.
  Widened (algorithms/arrival.lua): the interval grows to the share, and a request that waits
  for its slot gets one `margin` further from the one `burst` places before it, so a request
  that arrives late by up to the margin still meets a server's bucket with a token. (The TAT
  cannot tell a full bucket's burst from a refill, so the margin would also take tokens off a
  burst at an idle bucket: a request that cannot wait, a tryAcquire, is decided without it.)
  Written out in place in includes/acquire-decide-token-buckets and acquire-one-token-bucket.lua:
  change them together.
]]

-- Writes a bucket's TAT, living until the bucket is full again, plus the largest arrival margin
-- the quota may learn (`keep`: waiting requests keep that much from it). The TAT is only ever read back
-- as a number, so it goes as it is (see common.lua). acquire-decide-token-buckets writes with
-- this too.
local function save_tat(key, tat, now, keep)
  redis.call("SET", key, tat, "PX", ttl_ms(tat + keep - now))
end

algorithms.tb = {
  parse = function(a, b)
    return { interval = int_arg(a, "interval", 1), burst = int_arg(b, "burst", 1), margin = 0, keep = 0 }
  end,
  widen = function(spec, margin, share, _, waits, cap)
    local interval = spec.interval
    if share < 1000 then interval = math.ceil(interval * 1000 / share) end
    -- The TAT matters until TAT + margin for requests that wait, whatever this one does, and the
    -- margin may grow to the cap before it is read again: `keep`.
    return { interval = interval, burst = spec.burst, margin = waits and margin or 0, keep = math.max(margin, cap) }
  end,
  capacity = function(spec)
    return spec.burst
  end,
  size = function(spec)
    return spec.burst
  end,
  load = function(key)
    return { tat = tonumber(redis.call("GET", key)) or 0 }
  end,
  earliest = function(state, spec, n, t, _, headroom)
    return math.max(t, state.tat - (spec.burst - n - headroom) * spec.interval + spec.margin)
  end,
  commit = function(state, spec, n, t)
    state.tat = math.max(state.tat, t) + n * spec.interval
  end,
  save = function(state, key, spec, now)
    save_tat(key, state.tat, now, spec.keep)
  end,
  report = function(state, spec, now)
    local tat = math.max(state.tat, now)
    local remaining = math.floor((now + spec.burst * spec.interval - tat) / spec.interval)
    return math.max(0, remaining), tat
  end,
  -- Giving tokens back is safe only while no later reservation has moved TAT on.
  refund = function(key, spec, n, _, _, expected)
    if tonumber(redis.call("GET", key)) == expected then
      redis.call("SET", key, fmt(expected - n * spec.interval), "KEEPTTL")
    end
  end,
}
