--[[
  Acquire of ONE request on a quota whose one limit is an exact sliding window (a log), with
  its arrival part: the call a limiter makes when nothing else waits (and every call on a
  Cluster whose quotas share no slot). Decides exactly as acquire.lua decides such a call, with
  the same reply, without a batch's run parsing and tables. A slot at or after the log's last
  entry (no reservation ahead of it: the usual state) is algorithms/sliding-log.lua written out
  in place, because Redis's Lua runs the whole script body on every call and pays for every
  closure, table and argument (change them together; the conformance suite and the
  model-equivalence property check both paths against the model); a slot before reservations,
  where the log looks for a gap among them, is decided through the algorithm's module, loaded
  only then.

  KEYS[1]  the call's key (string): remembers the reply for ARGV[2] ms, as in acquire.lua
  KEYS[2]  pause key of the quota (string: paused-until time, microseconds)
  KEYS[3]  key of the log (algorithms/sliding-log.lua)
  KEYS[4]  key of the quota's arrival part (algorithms/arrival.lua), when it has one

  ARGV[1]  now: "" to use Redis TIME (always, in production); microseconds for tests only
  ARGV[2]  remember: milliseconds to keep the reply of a call that admitted, under KEYS[1]; 0 = do not;
           "-<ms>" for a named request's call, as in acquire.lua
  ARGV[3]  deadline: Redis time (microseconds) after which the call admits nothing; "" = none
  ARGV[4]  cost (integer units >= 1)
  ARGV[5]  maxWait: microseconds the caller accepts to wait; -1 = no bound
  ARGV[6]  headroom_pm: per mille of the limit the request must leave free
  ARGV[7..9]    limit, window (microseconds), unused: the rule "sw" of acquire.lua
  ARGV[10..12]  with KEYS[4] only: the arrival part's margin, pace, cap (microseconds)
  ARGV[#ARGV]   the request id: it names the log's entries (a named request's with its slot)

  Clock: Redis TIME, in microseconds since the Unix epoch.

  Returns acquire.lua's reply for one request: Redis time, code, wait, the window's remaining
  and reset, then the arrival part's margin and share when it has one.
]]

--- @include "includes/common"
--- @include "includes/limits"
--- @include "includes/acquire-one-parse"

local limit, window = tonumber(ARGV[7]), tonumber(ARGV[8])
if not (limit and window) or limit % 1 ~= 0 or window % 1 ~= 0 or limit < 1 or window < 1 then
  int_arg(ARGV[7], "limit", 1)
  int_arg(ARGV[8], "window", 1)
end
argc = argc + 1
local id = ARGV[argc]
if id == nil or id == "" then fail("an acquire needs a request id where kept") end
local capacity, size = limit, limit

--- @include "includes/acquire-one-ready"
--- @include "includes/acquire-one-arrival"

local paused = tonumber(redis.call("GET", KEYS[2])) or 0
local slot, blocking, admitted, reply
-- Widened (sliding-log.lua, widen): the share cuts the limit, the margin lengthens the window.
local effective = limit
if am ~= 0 or ae < 1000 then effective, window = share_of(limit, ae, need), window + am end
local floor = now - window
-- The log's last entry first: without one, or when it has left the window, nothing counts and
-- the counts need no reading (a quota used now and then, a name per user).
local last = tonumber(redis.call("ZRANGE", KEYS[3], -1, -1, "WITHSCORES")[2]) or 0
local total, live = 0, 0
if last > floor then
  total = redis.call("ZCARD", KEYS[3])
  live = redis.call("ZCOUNT", KEYS[3], "(" .. fmt(floor), "+inf")
elseif last > 0 then
  total = 1 -- every entry is dead: trimmed on an admission
end
local flat = math.max(now, paused) >= last
if flat then
  -- At or after the last entry only the window that ends at the slot counts: the slot fits,
  -- or waits until the excess-th oldest live entry has left the window.
  local fits_from = nil
  local excess = live + need - effective
  if excess > 0 then
    local rank = total - live + excess - 1
    fits_from = tonumber(redis.call("ZRANGE", KEYS[3], int_text(rank), int_text(rank), "WITHSCORES")[2]) + window
  end
  slot, blocking = math.max(now, paused), 0
  if paused > now then blocking = -1 end
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
  admitted = settled and (max_wait < 0 or wait <= max_wait)
  if admitted then
    -- one member per unit: the id, then "<id>:<i>" (log_member), 500 per ZADD (write_added);
    -- a named request's id is "<id>@<slot>" here (entry_id)
    local at = fmt(slot)
    if named then id = id .. "@" .. at end
    if cost == 1 then
      redis.call("ZADD", KEYS[3], at, id)
    else
      for first = 1, cost, 500 do
        local args = {}
        for i = first, math.min(cost, first + 499) do
          args[#args + 1] = at
          args[#args + 1] = i == 1 and id or id .. ":" .. i
        end
        redis.call("ZADD", KEYS[3], unpack(args))
      end
    end
    if total > live then redis.call("ZREMRANGEBYSCORE", KEYS[3], "-inf", fmt(floor)) end
    live, last = live + cost, math.max(last, slot)
    -- the log lives while its last entry counts under the largest margin (widen's life)
    expire_after(KEYS[3], last + window + math.max(0, cap - am) - now)
  end
  local remaining, reset = effective, now
  if live > 0 then remaining, reset = math.max(0, effective - live), last + window end
  reply = { now, (blocking + 1) * 4 + (admitted and 1 or 0), wait, remaining, reset - now }
end
if not flat then
--- @include "algorithms/sliding-log"
--- @include "includes/acquire-one-decide"
end
if arrival then reply[6], reply[7] = am, ae end

--- @include "includes/acquire-one-arrival-save"
--- @include "includes/acquire-one-reply"
