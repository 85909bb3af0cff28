--[[
  Acquire of ONE request on a quota whose one limit is a bucketed sliding window, with its
  arrival part: the call a limiter makes when nothing else waits (and every call on a Cluster
  whose quotas share no slot). Decides exactly as acquire.lua decides such a call, with the
  same reply, without a batch's run parsing and tables: algorithms/sliding-buckets.lua written
  out in place, because Redis's Lua runs the whole script body on every call and pays for every
  closure, table and argument (change them together; the conformance suite and the
  model-equivalence property check both paths against the model). The buckets are only sorted
  when the request does not fit at once; an admission writes its bucket and "last" in one HSET.

  KEYS[1]  the call's key (string): remembers the reply for ARGV[2] ms, as in acquire.lua
  KEYS[2]  pause key of the quota (string: paused-until time, microseconds)
  KEYS[3]  key of the window (hash, algorithms/sliding-buckets.lua)
  KEYS[4]  key of the quota's arrival part (algorithms/arrival.lua), when it has one

  ARGV[1]  now: "" to use Redis TIME (always, in production); microseconds for tests only
  ARGV[2]  remember: milliseconds to keep the reply of a call that admitted, under KEYS[1]; 0 = do not;
           "-<ms>" for a named request's call, as in acquire.lua
  ARGV[3]  deadline: Redis time (microseconds) after which the call admits nothing; "" = none
  ARGV[4]  cost (integer units >= 1)
  ARGV[5]  maxWait: microseconds the caller accepts to wait; -1 = no bound
  ARGV[6]  headroom_pm: per mille of the limit the request must leave free
  ARGV[7..9]    limit, window, bucket (microseconds): the rule "swb" of acquire.lua
  ARGV[10..12]  with KEYS[4] only: the arrival part's margin, pace, cap (microseconds)

  Clock: Redis TIME, in microseconds since the Unix epoch.

  Returns acquire.lua's reply for one request: Redis time, code, wait, the window's remaining
  and reset, then the arrival part's margin and share when it has one.
]]

--- @include "includes/common"
--- @include "includes/limits"
--- @include "includes/acquire-one-parse"

local limit, window, bucket = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
if
  not (limit and window and bucket)
  or limit % 1 ~= 0 or window % 1 ~= 0 or bucket % 1 ~= 0 or limit < 1 or window < 1 or bucket < 1
then
  int_arg(ARGV[7], "limit", 1)
  int_arg(ARGV[8], "window", 1)
  int_arg(ARGV[9], "bucket", 1)
end
local capacity, size = limit, limit

--- @include "includes/acquire-one-ready"
--- @include "includes/acquire-one-arrival"

-- Widened (sliding-buckets.lua, widen): the share cuts the limit, the margin lengthens the
-- window by whole buckets.
local effective = limit
if am ~= 0 or ae < 1000 then
  effective, window = share_of(limit, ae, need), window + math.ceil(am / bucket) * bucket
end
local paused = tonumber(redis.call("GET", KEYS[2])) or 0
-- A bucket counts while any part of it lies in the window: over when (k + 1) * bucket <= now - window.
local raw = redis.call("HGETALL", KEYS[3])
local over = now - window
local live, last, top, top_units, dead = 0, 0, nil, 0, nil
for i = 1, #raw, 2 do
  local field = raw[i]
  if field == "last" then
    last = tonumber(raw[i + 1])
  else
    local k, units = tonumber(field), tonumber(raw[i + 1])
    if (k + 1) * bucket <= over then
      dead = dead or {}
      dead[#dead + 1] = field
    else
      live = live + units
      if top == nil or k > top then top, top_units = k, units end
    end
  end
end

-- At or after the last admission the slot fits at once, or once enough of the oldest buckets
-- have left the window.
local fits_from = nil
local excess = live + need - effective
if excess > 0 then
  local ks, units = {}, {}
  for i = 1, #raw, 2 do
    local k = tonumber(raw[i])
    if k and (k + 1) * bucket > over then ks[#ks + 1], units[k] = k, tonumber(raw[i + 1]) end
  end
  table.sort(ks)
  for _, k in ipairs(ks) do
    excess = excess - units[k]
    if excess <= 0 then
      fits_from = (k + 1) * bucket + window
      break
    end
  end
end
local slot, blocking = math.max(now, paused, last), 0
if paused > now then blocking = -1 end
if last > math.max(now, paused) then blocking = 1 end
local settled = false
for _ = 1, 64 do
  local moved = fits_from ~= nil and fits_from > slot
  if moved then slot, blocking = fits_from, 1 end
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
local admitted = settled and (max_wait < 0 or wait <= max_wait)
if admitted then
  -- Slots never go back in time: the slot's bucket is the newest one held, or a new one.
  local k = math.floor(slot / bucket)
  local units = cost
  if k == top then units = units + top_units end
  live, last, top = live + cost, math.max(last, slot), k
  redis.call("HSET", KEYS[3], fmt(k), int_text(units), "last", fmt(last))
  if dead then redis.call("HDEL", KEYS[3], unpack(dead)) end
  -- the window lives while its top bucket counts under the largest margin (widen's life)
  local life = math.max(0, math.ceil(cap / bucket) * bucket - math.ceil(am / bucket) * bucket)
  expire_after(KEYS[3], (top + 1) * bucket + window + life - now)
end
local remaining, reset = effective, now
if live > 0 then remaining, reset = math.max(0, effective - live), (top + 1) * bucket + window end
local reply = { now, (blocking + 1) * 4 + (admitted and 1 or 0), wait, remaining, reset - now }
if arrival then reply[6], reply[7] = am, ae end

--- @include "includes/acquire-one-arrival-save"
--- @include "includes/acquire-one-reply"
