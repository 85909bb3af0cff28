--[[
  Arrival: what the upstream API sees, not only Redis's clock.

  An API counts a request when it arrives: its slot, plus the event-loop lateness of the process
  that sends it, plus network time, a delay that varies. A late request of one window and a
  prompt one of the next then land in one server window. This part of a quota (sent after its
  limits, with a key of its own) keeps, in one hash, what every acquire of the quota applies in
  the same script call, so all processes agree at once:
  - a margin that each rate limit of the quota adds to its window (each algorithm's `widen`:
    windows count over window + margin, a token bucket spaces a slot `margin` further from the
    one `burst` places before it, a fixed window counts the last `margin` of a window against
    the next one too);
  - an effective share of every limit, per mille, lowered when 429s show that a client outside
    Sluice spends the same quota (feedback.lua), raised again per clean full window;
  - the latest slot of a request that may wait, so that such slots are spaced by at least
    `pace` (many slots falling due at one instant are what makes requests late on a busy host).
    A request that cannot wait (maxWait 0) is not paced: a burst the limits allow is never
    denied for pacing.

  Spec: margin = the starting (learning) or fixed margin, microseconds; pace = microseconds
  between slots (0 = no pacing); cap = the largest margin, microseconds, a quarter of the
  quota's shortest window (0 = no learning: the margin stays as given, the share whole).
  State: one hash; m = margin (µs), e = share (per mille), l = latest slot (µs), g = time of the
  last change a 429 caused, s = time of the last step back, p = the largest lateness processes
  reported lately (µs), pt = when p was set.
  Learning: a step back happens at most once per window (4 * cap), only while the quota is in
  full use (an admitted request had to wait) and three windows have passed since the last
  429-made change: the share rises by 25 per mille and the margin shrinks by a fifth, never
  below the lateness processes reported lately (halved per window since). It never admits more
  than the configured limits: a margin only lengthens windows, a share only lowers limits.
  Reply figures (the two numbers a limit reports): remaining = the margin (µs), reset = now +
  the share (per mille).
  Written out in place for the one-request scripts in includes/acquire-one-arrival and
  acquire-one-arrival-save: change them together.
]]

local ARRIVAL_FIELDS = { "m", "e", "l", "g", "s", "p", "pt" }

-- How long the state matters after its last change or latest slot: ten windows once it holds
-- something learned (a margin or share of its own, a lateness report), else one window (or the
-- pacing), so a quota used once (a per-user name) leaves nothing behind for long. Load treats a
-- state past it as absent, so the key's TTL and the state's own times always agree.
local function arrival_lifetime(state, spec)
  if state.m ~= spec.margin or state.e < 1000 or state.p > 0 then return math.max(1, 40 * spec.cap) end
  return math.max(1, 4 * spec.cap, spec.pace)
end

-- Writes the whole state (a state loaded as absent may have stale fields left in the hash).
local function save_arrival(state, key, spec, now)
  redis.call(
    "HSET", key, "m", fmt(state.m), "e", fmt(state.e), "l", fmt(state.l), "g", fmt(state.g), "s", fmt(state.s),
    "p", fmt(state.p), "pt", fmt(state.pt)
  )
  expire_after(key, arrival_lifetime(state, spec) + math.max(0, state.l - now))
end

-- The lateness processes reported lately, halved for every window since it was reported (so
-- a lone spike fades and the margin can come back down): the floor of the margin. Whole
-- halvings keep it exact, as in the model.
local function recent_lateness(state, spec, now)
  if spec.cap == 0 then return 0 end
  local halvings = math.floor((now - state.pt) / (4 * spec.cap))
  if halvings >= 30 then return 0 end
  return math.floor(state.p / 2 ^ halvings)
end

-- Named, for the scripts that use the arrival part directly (feedback, the token-bucket decide).
local arrival_part = {
  arrival = true,
  parse = function(a, b, c)
    local spec = { margin = int_arg(a, "margin", 0), pace = int_arg(b, "pace", 0), cap = int_arg(c, "cap", 0) }
    if spec.cap > 0 and spec.margin > spec.cap then fail("margin must be <= cap, got '" .. a .. "'") end
    return spec
  end,
  capacity = function()
    return math.huge
  end,
  size = function()
    return math.huge
  end,
  -- A new state counts as just changed (g and s are now): nothing steps back before three
  -- windows of clean full use, never at once. A stored state is always whole (save_arrival).
  load = function(key, spec, now)
    local raw = redis.call("HMGET", key, unpack(ARRIVAL_FIELDS))
    local state = { m = spec.margin, e = 1000, l = 0, g = now, s = now, p = 0, pt = 0 }
    if raw[1] then
      local stored = {}
      for i, field in ipairs(ARRIVAL_FIELDS) do
        stored[field] = tonumber(raw[i])
      end
      local last = math.max(stored.l, stored.g, stored.s, stored.pt)
      if now < last + arrival_lifetime(stored, spec) then state = stored end
    end
    -- A fixed margin is the spec's, whatever an earlier configuration left.
    if spec.cap == 0 then state.m, state.e = spec.margin, 1000 end
    return state
  end,
  -- Pacing: a slot at or near the latest one keeps `pace` after it. A slot well before it (a gap
  -- a sliding window found among its reservations) is not moved.
  earliest = function(state, spec, _, t)
    if spec.pace > 0 and t > state.l - spec.pace then return math.max(t, state.l + spec.pace) end
    return t
  end,
  -- Only requests that may wait are paced, so only their slots are the latest slot; a quota used
  -- by tryAcquire alone keeps no state (its margin is the spec's until something is learned).
  commit = function(state, _, _, t, _, now, waits)
    if not waits then return end
    state.l, state.paced = math.max(state.l, t), true
    if t > now then state.busy = true end
  end,
  save = function(state, key, spec, now)
    local window = 4 * spec.cap
    if spec.cap > 0 and state.busy and now - state.g >= 3 * window and now - state.s >= window then
      state.e = math.min(1000, state.e + 25)
      state.m = math.max(math.min(state.m, recent_lateness(state, spec, now)), math.floor(state.m * 0.8))
      state.s = now
    end
    if state.paced then save_arrival(state, key, spec, now) end
  end,
  report = function(state, _, now)
    return state.m, now + state.e
  end,
}
algorithms.ar = arrival_part

-- Widens the specs of a quota's limits by its arrival state's margin and share (margin 0 and a
-- whole share leave them as configured), for requests of `cost` leaving headrooms[i], which may
-- wait for their slot or not (`waits`). A learning part (cap > 0) may widen them up to the cap
-- later, so what is written now lives that long too (each widen's `cap`).
local function widen_all(set, specs, arrival_state, cost, headrooms, waits)
  local cap = set[set.arrival].spec.cap
  if arrival_state.m == 0 and arrival_state.e >= 1000 and cap == 0 then return end
  for i = 1, #set do
    local widen = set[i].algo.widen
    if widen then
      local need = (set[i].one_slot and 1 or cost) + headrooms[i]
      specs[i] = widen(set[i].spec, arrival_state.m, arrival_state.e, need, waits, cap)
    end
  end
end

