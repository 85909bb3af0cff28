--[[
  Acquire of ONE request on a quota whose one limit is a fixed window, with its arrival part:
  the call a limiter makes when nothing else waits (and every call on a Cluster whose quotas
  share no slot). Decides exactly as acquire.lua decides such a call, with the same reply,
  without a batch's run parsing and tables. The window's integer form (every admission in the
  current window, none ahead: the usual state) is algorithms/fixed-window.lua written out in
  place, because Redis's Lua runs the whole script body on every call and pays for every
  closure, table and argument (change them together; the conformance suite and the
  model-equivalence property check both paths against the model); any other state, or an
  admission that needs the hash form, is decided through the algorithm's module, loaded only
  then.

  KEYS[1]  the call's key (string): remembers the reply for ARGV[2] ms, as in acquire.lua
  KEYS[2]  pause key of the quota (string: paused-until time, microseconds)
  KEYS[3]  key of the window (algorithms/fixed-window.lua)
  KEYS[4]  key of the quota's arrival part (algorithms/arrival.lua), when it has one

  ARGV[1]  now: "" to use Redis TIME (always, in production); microseconds for tests only
  ARGV[2]  remember: milliseconds to keep the reply of a call that admitted, under KEYS[1]; 0 = do not;
           "-<ms>" for a named request's call, as in acquire.lua
  ARGV[3]  deadline: Redis time (microseconds) after which the call admits nothing; "" = none
  ARGV[4]  cost (integer units >= 1)
  ARGV[5]  maxWait: microseconds the caller accepts to wait; -1 = no bound
  ARGV[6]  headroom_pm: per mille of the limit the request must leave free
  ARGV[7..9]    limit, window (microseconds), align (microseconds): the rule "fw" of acquire.lua
  ARGV[10..12]  with KEYS[4] only: the arrival part's margin, pace, cap (microseconds)

  Clock: Redis TIME, in microseconds since the Unix epoch.

  Returns acquire.lua's reply for one request: Redis time, code, wait, the window's remaining
  and reset, then the arrival part's margin and share when it has one.
]]

--- @include "includes/common"
--- @include "includes/limits"
--- @include "includes/acquire-one-parse"

local limit, window, align = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
if
  not (limit and window and align)
  or limit % 1 ~= 0 or window % 1 ~= 0 or align % 1 ~= 0 or limit < 1 or window < 1 or align < 0
then
  int_arg(ARGV[7], "limit", 1)
  int_arg(ARGV[8], "window", 1)
  int_arg(ARGV[9], "align", 0)
end
if align >= window then fail("align must be < window, got '" .. ARGV[9] .. "'") end
local capacity, size, id = limit, limit, nil

--- @include "includes/acquire-one-ready"
--- @include "includes/acquire-one-arrival"

local paused = tonumber(redis.call("GET", KEYS[2])) or 0
-- GET answers the integer form; on the hash form it is an error (WRONGTYPE), as in load.
local packed = redis.pcall("GET", KEYS[3])
local slot, blocking, admitted, reply
local flat = type(packed) ~= "table"
if flat then
  -- Widened (fixed-window.lua, widen): the share cuts the limit, a slot in the last `am` of a
  -- window counts against the next one too.
  local effective, margin = limit, 0
  if am ~= 0 or ae < 1000 then effective, margin = share_of(limit, ae, need), am end
  local radix = limit + 1
  local current = math.floor((now - align) / window)
  local used = 0
  if packed then
    local value = tonumber(packed)
    local k = math.floor(value / radix)
    if k == current then used = value - k * radix end
  end
  slot, blocking = math.max(now, paused), 0
  if paused > now then blocking = -1 end
  local settled = false
  for _ = 1, 64 do
    -- Only the current window holds units: a slot in it fits unless it is full (the next window
    -- is empty, and need <= effective), else the next window's start.
    local moved = false
    if used + need > effective and math.floor((slot - align) / window) == current then
      slot, blocking, moved = (current + 1) * window + align, 1, true
    end
    if arrival and waits then
      local t = paced(slot)
      if t > slot then slot, blocking, moved = t, 2, true end
    end
    if not moved or not arrival then
      settled = true
      break
    end
  end
  local wait = slot - now
  admitted = settled and (max_wait < 0 or wait <= max_wait)
  local value = current * radix + used + cost
  -- An admission stays in the integer form only at now, inside the current window (its margin
  -- too), exactly representable: else the module decides it again and writes the hash.
  local ahead = math.floor((now + margin - align) / window) ~= current
  if admitted and (wait > 0 or ahead or current < 0 or value >= 9007199254740992) then
    flat = false
  elseif admitted then
    used = used + cost
    local ends = (current + 1) * window + align
    redis.call("SET", KEYS[3], fmt(value), "PX", ttl_ms(ends - now))
  end
  if flat then
    reply = {
      now, (blocking + 1) * 4 + (admitted and 1 or 0), wait, math.max(0, effective - used),
      (current + 1) * window + align - now,
    }
  end
end
if not flat then
--- @include "algorithms/fixed-window"
--- @include "includes/acquire-one-decide"
end
if arrival then reply[6], reply[7] = am, ae end

--- @include "includes/acquire-one-arrival-save"
--- @include "includes/acquire-one-reply"
