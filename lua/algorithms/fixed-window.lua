--[[
  Fixed window: the quota resets at fixed instants, window k being
  [k*window + align, (k+1)*window + align).

  Spec: limit = admissions per window, window = microseconds, align = offset in microseconds
  (0 <= align < window; 0 aligns to the Unix epoch, i.e. UTC midnight for daily windows).
  State, in one key:
  - while every admission lies in the current window k and none after now: one integer,
    k * (limit + 1) + units, expiring when window k ends (the smallest state there is);
  - with reservations ahead: a hash; field "<k>" = units admitted in window k, field "last" =
    latest admission time (reservations fill windows in order). Memory: one field per window
    with admissions (the current one plus those reserved ahead).
  Widened (algorithms/arrival.lua): a slot in the last `margin` of window k counts against
  window k + 1 as well (a late request of k arrives in k + 1), and the limit shrinks to the share.
  The integer form's steps for one request are written out in place in
  acquire-one-fixed-window.lua: change them together.
]]

--- @include "includes/counter-hash"

local function window_of(spec, t)
  return math.floor((t - spec.align) / spec.window)
end

local function window_start(spec, k)
  return k * spec.window + spec.align
end

-- The integer form of window k holding n units, or nil when it would not stay exact in Lua.
local function packed(spec, k, n)
  local value = k * spec.radix + n
  if k < 0 or value >= 9007199254740992 then return nil end
  return value
end

-- Window and units of an integer-form value.
local function unpacked(spec, value)
  local k = math.floor(value / spec.radix)
  return k, value - k * spec.radix
end

algorithms.fw = {
  parse = function(a, b, c)
    local spec = { limit = int_arg(a, "limit", 1), window = int_arg(b, "window", 1), align = int_arg(c, "align", 0) }
    if spec.align >= spec.window then fail("align must be < window, got '" .. c .. "'") end
    -- The integer form counts in base limit + 1 of the configured limit, whatever share applies.
    spec.margin, spec.radix = 0, spec.limit + 1
    return spec
  end,
  widen = function(spec, margin, share, need)
    local limit = share_of(spec.limit, share, need)
    return { limit = limit, window = spec.window, align = spec.align, margin = margin, radix = spec.radix }
  end,
  capacity = function(spec)
    return spec.limit
  end,
  size = function(spec)
    return spec.limit
  end,
  load = function(key, spec, now)
    local current = window_of(spec, now)
    local state = { last = 0, used = {}, dead = {}, fields = 0, top = nil, added = {} }
    -- GET answers the integer form; on the hash form it is an error (WRONGTYPE).
    local value = redis.pcall("GET", key)
    if type(value) == "string" then
      state.packed = true
      local k, n = unpacked(spec, tonumber(value))
      -- an older window's units are over; its key outlives it by under a millisecond
      if k == current then
        state.used[k], state.fields, state.top = n, 1, k
      end
      return state
    end
    if not value then return state end
    local raw = redis.call("HGETALL", key)
    for i = 1, #raw, 2 do
      local field, value = raw[i], tonumber(raw[i + 1])
      if field == "last" then
        state.last = value
      else
        local k = tonumber(field)
        if k < current then
          state.dead[#state.dead + 1] = field
        else
          state.used[k] = value
          state.fields = state.fields + 1
          if state.top == nil or k > state.top then state.top = k end
        end
      end
    end
    return state
  end,
  earliest = function(state, spec, n, t, _, headroom)
    local base = math.max(t, state.last)
    local k = window_of(spec, base)
    -- Only windows holding admissions can be full (k, or k + 1 for a slot in k's last margin),
    -- so this ends within fields + 2 steps.
    for _ = 0, state.fields + 1 do
      if (state.used[k] or 0) + n + headroom <= spec.limit then
        local c = math.max(base, window_start(spec, k))
        if c + spec.margin < window_start(spec, k + 1) or (state.used[k + 1] or 0) + n + headroom <= spec.limit then
          return c
        end
      end
      k = k + 1
    end
    return math.max(base, window_start(spec, k))
  end,
  commit = function(state, spec, n, t)
    state.last = math.max(state.last, t)
    local first, last = window_of(spec, t), window_of(spec, t + spec.margin)
    for k = first, last do
      if state.used[k] == nil then state.fields = state.fields + 1 end
      state.used[k] = (state.used[k] or 0) + n
      state.added[k] = (state.added[k] or 0) + n
      if state.top == nil or k > state.top then state.top = k end
    end
  end,
  save = function(state, key, spec, now)
    local current = window_of(spec, now)
    local value = packed(spec, current, state.used[current] or 0)
    if value and state.top == current and state.last <= now then
      redis.call("SET", key, fmt(value), "PX", ttl_ms(window_start(spec, current + 1) - now))
      return
    end
    if state.packed then
      -- from the integer form to the hash: written whole
      redis.call("DEL", key)
      for k, n in pairs(state.used) do
        state.added[k] = n
      end
    end
    save_counters(state, key, window_start(spec, state.top + 1) - now)
  end,
  report = function(state, spec, now)
    local current = window_of(spec, now)
    return math.max(0, spec.limit - (state.used[current] or 0)), window_start(spec, current + 1)
  end,
  refund = function(key, spec, n, t)
    local k = window_of(spec, t)
    local value = redis.pcall("GET", key)
    if type(value) == "string" then
      local held, units = unpacked(spec, tonumber(value))
      if held ~= k then return end
      if units <= n then
        redis.call("DEL", key)
      else
        redis.call("SET", key, fmt(tonumber(value) - n), "KEEPTTL")
      end
    elseif value then
      refund_counter(key, k, n)
    end
  end,
}
