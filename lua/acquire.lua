--[[
  Decides one acquire against several limits at once, all-or-nothing.

  Finds the earliest slot t >= now at which EVERY limit admits the cost (and no pause is in
  force), then, if t - now <= maxWait, records the admission at t in every limit (a
  reservation when t > now: the caller sleeps t - now once, then proceeds). A denial writes
  nothing. Reservations are FIFO: no limit places a slot before one it already gave.

  KEYS[1]      pause key (string: paused-until time, microseconds)
  KEYS[1 + i]  key of limit i (all keys share one hash tag in a Cluster)

  ARGV[1]  request id: unique per acquire; names the log entries and the concurrency lease
  ARGV[2]  cost: integer units >= 0 (0 only when ARGV[5] is "0")
  ARGV[3]  maxWait: microseconds the caller accepts to wait; -1 = no bound
  ARGV[4]  now: "" to use Redis TIME (always, in production); microseconds for tests only
  ARGV[5]  "1" to record the admission, "0" to only report (state())
  ARGV[6 + 4(i-1) ...]  limit i: kind ("tb" | "sw" | "swb" | "fw" | "cc"), a, b, c
           (see each file under algorithms/ for the meaning of a, b, c)

  Clock: Redis TIME, in microseconds since the Unix epoch.

  Returns a flat array of integers:
    [1] 1 admitted, 0 denied
    [2] wait: microseconds from now to the slot (admitted), or until a retry could succeed
        (denied: the slot that was beyond maxWait, or the earliest lease expiry when a
        concurrency limit is full)
    [3] now: Redis time of the decision, microseconds
    [4] blocking: 0 none, -1 the pause, i the limit that set the slot (or is full)
    [5] 1 when the denial cannot be reserved ahead (a full concurrency limit), else 0
    [6 + 2(i-1)] remaining units of limit i after this decision
    [7 + 2(i-1)] reset of limit i: microseconds time at which it is fully available again
        (token bucket: full bucket; windows: the last admission leaves; fixed window: the
        current window ends; concurrency: the earliest lease expiry)
]]

--- @include "includes/common"
--- @include "includes/limits"
--- @include "algorithms/token-bucket"
--- @include "algorithms/sliding-log"
--- @include "algorithms/sliding-buckets"
--- @include "algorithms/fixed-window"
--- @include "algorithms/concurrency"

local id = ARGV[1]
local cost = int_arg(ARGV[2], "cost", 0)
local max_wait = int_arg(ARGV[3], "maxWait", -1)
local now = clock(ARGV[4])
local record = ARGV[5] == "1"
if record and (cost < 1 or id == nil or id == "") then fail("an acquire needs a request id and a cost >= 1") end
local limits = parse_limits(6, 4, 1, cost)

local paused = tonumber(redis.call("GET", KEYS[1])) or 0
for _, l in ipairs(limits) do
  l.state = l.algo.load(l.key, l.spec, now)
end

local slot, blocking, queueable, hint = math.max(now, paused), 0, true, nil
if paused > now then blocking = -1 end
-- Each limit maps a time to its earliest admissible time at or after it; iterate to the
-- common fixed point. Token buckets and sliding windows settle in one pass, fixed windows
-- in a few.
local settled = false
for _ = 1, 64 do
  local moved = false
  for i, l in ipairs(limits) do
    local at, expiry = l.algo.earliest(l.state, l.spec, cost, slot, l.key)
    if at == nil then
      queueable, blocking, hint = false, i, expiry
      break
    end
    if at > slot then slot, blocking, moved = at, i, true end
  end
  if not queueable or not moved then
    settled = queueable
    break
  end
end

local wait = slot - now
if not queueable then wait = math.max(0, (hint or now) - now) end
local admitted = settled and (max_wait < 0 or wait <= max_wait)

if admitted and record then
  for _, l in ipairs(limits) do
    l.algo.commit(l.state, l.key, l.spec, cost, slot, id, now)
  end
end

local reply = { admitted and 1 or 0, wait, now, blocking, queueable and 0 or 1 }
for _, l in ipairs(limits) do
  local remaining, reset = l.algo.report(l.state, l.spec, now)
  reply[#reply + 1] = remaining
  reply[#reply + 1] = reset
end
return reply
