--[[
  Exact sliding window: a log of admissions.

  Spec: limit = admissions per window, window = microseconds, unused.
  State: one sorted set; member "<requestId>" (or "<requestId>:<i>" for the i-th unit of a
  cost > 1), score = admission time in microseconds (a reservation's future slot). A named
  request's id (acquire({ id })) may be decided again once its first grant no longer holds, so
  its entries are "<id>@<slot>": two decisions under one id never share an entry.
  Guarantee: in ANY interval of length window, at most limit admissions. A slot at or after
  the last one only needs the window that ends at it checked. A request asked for before the
  last one (reservations lie ahead) takes the earliest time from then on at which every window
  that contains it still has room, so a slot given back (a grant used too late, a cancelled
  wait) is used again, not lost; otherwise it queues after the last one. Where the log near
  that time is sparse (at most GAP_SCAN entries within a window on either side), that time is
  searched for among the next GAP_SCAN entries; where it is dense, only the time asked for is
  tried, so the search costs at most one read of GAP_SCAN entries.
  Memory: one member per admitted unit still inside the window (about 60-80 bytes each).
  Widened (algorithms/arrival.lua): the window grows by the margin, the limit to the share; the
  log lives until its last entry is out of the window the margin may grow to (the cap).
  The steps for one request at or after the last entry are written out in place in
  acquire-one-sliding-log.lua: change them together.
]]

-- The id a request's entries are named after: a named request's carries its slot.
local function entry_id(id, t, named)
  if named then return id .. "@" .. fmt(t) end
  return id
end

local function log_member(id, i)
  if i == 1 then return id end
  return id .. ":" .. i
end

-- Writes this call's admissions to the log (the stored entries then include them).
local function write_added(state)
  for first = 1, #state.added, 500 do
    local args = {}
    for i = first, math.min(#state.added, first + 499) do
      args[#args + 1] = fmt(state.added[i].t)
      args[#args + 1] = state.added[i].member
    end
    redis.call("ZADD", state.key, unpack(args))
  end
  state.added = {}
  state.stored = state.live
end

-- How many of this call's unwritten entries (in time order) are at or before x.
local function added_upto(state, x)
  local low, high = 0, #state.added
  while low < high do
    local mid = math.floor((low + high + 1) / 2)
    if state.added[mid].t <= x then low = mid else high = mid - 1 end
  end
  return low
end

-- Live entries in the window that ends at t, (t - window, t]: stored, and this call's unwritten.
local function count_ending_at(state, spec, t)
  local stored = redis.call("ZCOUNT", state.key, "(" .. fmt(t - spec.window), fmt(t))
  return stored + added_upto(state, t) - added_upto(state, t - spec.window)
end

-- Among the sorted times[low..high-1] (every entry within a window of c), the groups of
-- `room + 1` entries that lie with c inside one window crowd c out; the time at which the last
-- of them stops doing so (its first entry's time + window), or nil when none crowds c.
local function crowded_until(times, low, high, room, c, window)
  local past = nil
  for i = low, high - 1 - room do
    if math.max(times[i + room], c) - math.min(times[i], c) < window then
      past = math.max(past or c, times[i] + window)
    end
  end
  return past
end

-- Whether an entry at t leaves every window of length `window` that contains t with at most
-- `room` other entries. Reads the log only, so this call's admissions must be written first
-- (write_added).
local function fits_at(state, spec, room, t)
  local near = redis.call("ZRANGEBYSCORE", state.key, "(" .. fmt(t - spec.window), "(" .. fmt(t + spec.window), "WITHSCORES")
  local times = {}
  for i = 2, #near, 2 do
    times[#times + 1] = tonumber(near[i])
  end
  return crowded_until(times, 1, #times + 1, room, t, spec.window) == nil
end

-- How far the search for a gap before the last slot reads the log, in entries.
local GAP_SCAN = 64

-- Live entries in (a, b), stored and this call's unwritten.
local function count_between(state, a, b)
  local stored = redis.call("ZCOUNT", state.key, "(" .. fmt(a), "(" .. fmt(b))
  return stored + added_upto(state, b - 1) - added_upto(state, a)
end

-- The earliest c >= t, before the last slot, at which an entry leaves every window that
-- contains c with at most `room` others, found among the GAP_SCAN entries after t - window;
-- nil when there is none there. A candidate is judged only when every entry within a window of
-- it was read. Each miss moves c past the entries that crowd it, so this ends.
local function gap_from(state, spec, room, t)
  write_added(state)
  local raw = redis.call("ZRANGEBYSCORE", state.key, "(" .. fmt(t - spec.window), "+inf", "WITHSCORES", "LIMIT", 0, GAP_SCAN)
  local times = {}
  for i = 2, #raw, 2 do
    times[#times + 1] = tonumber(raw[i])
  end
  local known = math.huge
  if #times == GAP_SCAN then known = times[#times] end
  local c, low = t, 1
  while c < state.last and c + spec.window <= known do
    while low <= #times and times[low] <= c - spec.window do low = low + 1 end
    local high = low
    while high <= #times and times[high] < c + spec.window do high = high + 1 end
    local past = crowded_until(times, low, high, room, c, spec.window)
    if past == nil then return c end
    c = past
  end
  return nil
end

algorithms.sw = {
  uses_id = true, -- log members are named after request ids
  parse = function(a, b)
    return { limit = int_arg(a, "limit", 1), window = int_arg(b, "window", 1) }
  end,
  widen = function(spec, margin, share, need, _, cap)
    -- `life`: the margin may grow to the cap while an entry written now still counts
    return { limit = share_of(spec.limit, share, need), window = spec.window + margin, life = math.max(0, cap - margin) }
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
    -- `stored` entries are live in Redis; `added` ones (this call's, in time order, after every
    -- stored one) are written by save(), or at once when a slot before the last needs the log.
    return {
      key = key, floor = floor, dead = total - live, live = live, stored = live, added = {}, last = tonumber(last[2]) or 0,
    }
  end,
  earliest = function(state, spec, n, t, key, headroom, gaps)
    -- Before the last slot: where every window containing the time has room for n (leaving
    -- `headroom`). A sparse log is searched for the earliest such time (while `gaps`); in a dense
    -- one only t is tried, and the window that ends at t, the usual obstacle, is counted before
    -- the log is read.
    local room = spec.limit - n - headroom
    if t < state.last and room >= 0 then
      if gaps and count_between(state, t - spec.window, t + spec.window) <= GAP_SCAN then
        local gap = gap_from(state, spec, room, t)
        if gap then return gap end
      elseif count_ending_at(state, spec, t) <= room then
        write_added(state)
        if fits_at(state, spec, room, t) then return t end
      end
    end
    local base = math.max(t, state.last)
    local excess = state.live + n + headroom - spec.limit
    if excess <= 0 then return base end
    -- The excess-th oldest live entry must have left the window: slot >= its time + window.
    -- This call's unwritten entries come after the stored ones.
    if excess > state.stored then return math.max(base, state.added[excess - state.stored].t + spec.window) end
    local rank = state.dead + excess - 1
    local entry = redis.call("ZRANGE", key, int_text(rank), int_text(rank), "WITHSCORES")
    return math.max(base, tonumber(entry[2]) + spec.window)
  end,
  commit = function(state, _, n, t, id, _, _, named)
    id = entry_id(id, t, named)
    for i = 1, n do
      state.added[#state.added + 1] = { t = t, member = log_member(id, i) }
    end
    state.live = state.live + n
    -- A slot before the last goes straight to the log, so `added` stays after every stored entry.
    if t < state.last then write_added(state) end
    state.last = math.max(state.last, t)
  end,
  save = function(state, key, spec, now)
    write_added(state)
    if state.dead > 0 then redis.call("ZREMRANGEBYSCORE", key, "-inf", fmt(state.floor)) end
    expire_after(key, state.last + spec.window + (spec.life or 0) - now)
  end,
  report = function(state, spec, now)
    if state.live == 0 then return spec.limit, now end
    return math.max(0, spec.limit - state.live), state.last + spec.window
  end,
  refund = function(key, _, n, t, id, _, named)
    id = entry_id(id, t, named)
    for i = 1, n do
      redis.call("ZREM", key, log_member(id, i))
    end
  end,
}
