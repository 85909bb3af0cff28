--[[
  Learns from what the upstream API answered, for a quota's arrival part (algorithms/arrival.lua):
  every process reports here, and the next acquire of any process applies what was learned.

  KEYS[1]  the quota's arrival key (hash, see algorithms/arrival.lua)
  ARGV[1]  now: "" for Redis TIME; microseconds for tests only
  ARGV[2..4]  the arrival spec: margin, pace, cap (microseconds) as in algorithms/arrival.lua
  ARGV[5]  what happened:
           "late"     a process reports the largest lateness it measured lately (ARGV[7]): how
                      long after their slots its requests were answered
           "limited"  a request granted by Sluice met a 429 and nothing says why
           "foreign"  a request met a 429, or an answer's headers, that show the server counting
                      more than Sluice spent: a client outside Sluice spends the same quota
  ARGV[6]  decided: Redis time (microseconds) at which the request's grant was decided
  ARGV[7]  lateness: microseconds from the request's slot to its answer (integer >= 0)

  A 429 is judged once per burst: every process reports the same burst, so a report about a
  grant decided before the last change is ignored (it was made under the old figures). Then:
  - the spread of arrival delays explains it (the lateness of this request, or the lateness
    processes reported lately, halved per window since, is above the margin): the margin grows
    to at least 1.25 times that spread and at least doubles, up to cap;
  - otherwise (the margin already covers the spread, or cannot grow), the share falls by a
    fifth, to no less than 100 per mille (multiplicative decrease; acquire steps it back up).
  Nothing is learned when cap is 0 (a fixed margin).

  Clock: Redis TIME. Returns { change, margin, share }: change 0 nothing, 1 the margin grew,
  2 the share fell; then the margin (µs) and share (per mille) in force.
]]

--- @include "includes/common"
--- @include "includes/limits"
--- @include "algorithms/arrival"

if #ARGV ~= 7 then fail("expected 7 ARGV, got " .. #ARGV) end
local now = clock(ARGV[1])
local spec = arrival_part.parse(ARGV[2], ARGV[3], ARGV[4])
local kind = ARGV[5]
if kind ~= "late" and kind ~= "limited" and kind ~= "foreign" then
  fail("a report is 'late', 'limited' or 'foreign', got '" .. tostring(kind) .. "'")
end
local decided = int_arg(ARGV[6], "decided", 0)
local lateness = int_arg(ARGV[7], "lateness", 0)
local key = KEYS[1]
local state = arrival_part.load(key, spec, now)

if spec.cap == 0 then return { 0, state.m, state.e } end

if kind == "late" then
  -- A report above the recent lateness (which fades by half per window) replaces it.
  if lateness > recent_lateness(state, spec, now) then
    state.p, state.pt = lateness, now
    save_arrival(state, key, spec, now)
  end
  return { 0, state.m, state.e }
end

if decided < state.g then return { 0, state.m, state.e } end

local spread = math.max(lateness, recent_lateness(state, spec, now))
local change
if kind == "limited" and spread > state.m and state.m < spec.cap then
  state.m = math.min(spec.cap, math.max(math.ceil(spread * 1.25), 2 * state.m))
  change = 1
else
  state.e = math.max(100, math.floor(state.e * 0.8))
  change = 2
end
state.g = now
save_arrival(state, key, spec, now)
return { change, state.m, state.e }
