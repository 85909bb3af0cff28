--[[
  Tightens one limit to what the server reports: when the server says fewer units remain than
  the shared state believes (a client outside Sluice spends the same quota), spends the
  difference now, so every process sees the server's figure. Never loosens: a report at or
  above the shared figure changes nothing, and several processes reporting the same header
  spend the difference once (the second sees the figure already met).

  KEYS[1]  key of the limit
  ARGV[1]  now: "" for Redis TIME; microseconds for tests only
  ARGV[2..5]  the limit: kind ("tb" | "sw" | "swb" | "fw"), a, b, c as in acquire.lua
  ARGV[6]  remaining: units the server says are left, integer >= 0
  ARGV[7]  id: names the spent units in a sliding log

  Clock: Redis TIME. Returns the units spent (0 when the state already agreed).
]]

--- @include "includes/common"
--- @include "includes/limits"
--- @include "algorithms/token-bucket"
--- @include "algorithms/sliding-log"
--- @include "algorithms/sliding-buckets"
--- @include "algorithms/fixed-window"

local now = clock(ARGV[1])
local rule = parse_specs(2, 1)[1]
local remaining = int_arg(ARGV[6], "remaining", 0)
local id = ARGV[7]
if id == nil or id == "" then fail("id is required") end
local state = rule.algo.load(KEYS[1], rule.spec, now)
local believed = rule.algo.report(state, rule.spec, now)
local spend = believed - remaining
if spend <= 0 then return 0 end
rule.algo.commit(state, rule.spec, spend, now, id)
rule.algo.save(state, KEYS[1], rule.spec, now)
return spend
