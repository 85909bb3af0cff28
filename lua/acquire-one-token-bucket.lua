--[[
  Acquire of ONE request on a quota whose one limit is a token bucket, with its arrival part:
  the call a limiter makes when nothing else waits (and every call on a Cluster whose quotas
  share no slot). Decides exactly as acquire.lua decides such a call, with the same reply,
  without a batch's run parsing, tables and algorithm interface: algorithms/token-bucket.lua
  and algorithms/arrival.lua written out in place, because Redis's Lua runs the whole script
  body on every call and pays for every closure, table and argument (change them together; the
  conformance suite and the model-equivalence property check both paths against the model).

  KEYS[1]  the call's key (string): remembers the reply for ARGV[2] ms, as in acquire.lua
  KEYS[2]  pause key of the quota (string: paused-until time, microseconds)
  KEYS[3]  key of the bucket (string: its TAT, microseconds)
  KEYS[4]  key of the quota's arrival part (algorithms/arrival.lua), when it has one

  ARGV[1]  now: "" to use Redis TIME (always, in production); microseconds for tests only
  ARGV[2]  remember: milliseconds to keep the reply of a call that admitted, under KEYS[1]; 0 = do not;
           "-<ms>" for a named request's call, as in acquire.lua
  ARGV[3]  deadline: Redis time (microseconds) after which the call admits nothing; "" = none
  ARGV[4]  cost (integer units >= 1)
  ARGV[5]  maxWait: microseconds the caller accepts to wait; -1 = no bound
  ARGV[6]  headroom_pm: per mille of the burst the request must leave free
  ARGV[7..9]    interval (microseconds per token), burst, unused: the rule "tb" of acquire.lua
  ARGV[10..12]  with KEYS[4] only: the arrival part's margin, pace, cap (microseconds)

  Clock: Redis TIME, in microseconds since the Unix epoch.

  Returns acquire.lua's reply for one request: Redis time, code, wait, the bucket's remaining
  and reset, then the arrival part's margin and share when it has one.
]]

--- @include "includes/common"
--- @include "includes/acquire-one-parse"

local interval, burst = tonumber(ARGV[7]), tonumber(ARGV[8])
if not (interval and burst) or interval % 1 ~= 0 or burst % 1 ~= 0 or interval < 1 or burst < 1 then
  int_arg(ARGV[7], "interval", 1)
  int_arg(ARGV[8], "burst", 1)
end
local capacity, size = burst, burst

--- @include "includes/acquire-one-ready"
--- @include "includes/acquire-one-arrival"

-- Widened by the arrival part (token-bucket.lua, widen): the share slows the bucket; a request
-- that may wait keeps `am` further from the slot `burst` places before it, and the TAT lives
-- that much longer.
if ae < 1000 then interval = math.ceil(interval * 1000 / ae) end
local margin = 0
if waits then margin = am end

local paused = tonumber(redis.call("GET", KEYS[2])) or 0
local tat = tonumber(redis.call("GET", KEYS[3])) or 0
local slot, blocking = math.max(now, paused), 0
if paused > now then blocking = -1 end
-- The bucket's earliest time does not move with the slot: one step, then pacing (only later).
local t = tat - (burst - need) * interval + margin
if t > slot then slot, blocking = t, 1 end
if arrival and waits then
  t = paced(slot)
  if t > slot then slot, blocking = t, 2 end
end

local wait = slot - now
local admitted = max_wait < 0 or wait <= max_wait
if admitted then tat = math.max(tat, slot) + cost * interval end
-- code: 4 * (blocking + 1) + admitted; a bucket is always queueable
local full = math.max(tat, now)
local reply = {
  now, (blocking + 1) * 4 + (admitted and 1 or 0), wait,
  math.max(0, math.floor((now + burst * interval - full) / interval)), full - now,
}
if arrival then reply[6], reply[7] = am, ae end
if admitted then
  -- save_tat: the TAT lives until the bucket is full again, plus the largest margin (widen's keep)
  redis.call("SET", KEYS[3], tat, "PX", ttl_ms(tat + math.max(am, cap) - now))
end

--- @include "includes/acquire-one-arrival-save"
--- @include "includes/acquire-one-reply"
