--[[
  Gives back an admission that was never used (a reservation whose caller aborted before its
  slot). Removing admissions can only lower counts, so it never breaks a guarantee; a token
  bucket refunds only while no later reservation has moved its TAT (otherwise the tokens stay
  spent: under-use, never over-use). Releases a concurrency lease taken by the acquire.

  KEYS[i]  key of limit i, in the order of the acquire
  ARGV[1]  request id of the acquire
  ARGV[2]  cost of the acquire
  ARGV[3]  slot: microseconds time the acquire was admitted at
  ARGV[4 + 5(i-1) ...]  limit i: kind, a, b, c as in acquire.lua, then the reset the acquire
           reported for it (a token bucket's TAT after the acquire)

  Returns the number of limits processed.
]]

--- @include "includes/common"
--- @include "includes/limits"
--- @include "algorithms/token-bucket"
--- @include "algorithms/sliding-log"
--- @include "algorithms/sliding-buckets"
--- @include "algorithms/fixed-window"
--- @include "algorithms/concurrency"

local id = ARGV[1]
if id == nil or id == "" then fail("request id is required") end
local cost = int_arg(ARGV[2], "cost", 1)
local slot = int_arg(ARGV[3], "slot", 0)
-- ARGV after the first three: 5 per limit (its spec, then the reset the acquire reported)
local count = (#ARGV - 3) / 5
if count < 1 or count ~= math.floor(count) or count ~= #KEYS then
  fail("expected 5 ARGV and one key per limit, got " .. #ARGV .. " ARGV and " .. #KEYS .. " keys")
end
for i = 1, count do
  local at = 4 + (i - 1) * 5
  local rule = parse_specs(at, 1)[1]
  rule.algo.refund(KEYS[i], rule.spec, cost, slot, id, int_arg(ARGV[at + 4], "reset", 0))
end
return count
