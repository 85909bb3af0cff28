--[[
  Gives back an admission that was never used (a reservation whose caller aborted before its
  slot). Removing admissions can only lower counts, so it never breaks a guarantee; a token
  bucket refunds only while no later reservation has moved its TAT (otherwise the tokens stay
  spent: under-use, never over-use). Releases a concurrency lease taken by the acquire.

  KEYS[1]      the cancel's key: marks it done, so a cancel the client resends after a
               reconnect refunds nothing twice
  KEYS[1 + i]  key of limit i, in the order of the acquire
  KEYS[2 + L]  only for a named request (L limits): the acquire's call key (acquire.lua's
               KEYS[1]), whose remembered reply goes with the refund, so that a retry under
               the same id is decided afresh, never answered with the grant given back
  ARGV[1]  request id of the acquire
  ARGV[2]  cost of the acquire
  ARGV[3]  slot: microseconds time the acquire was admitted at
  ARGV[4 + 5(i-1) ...]  limit i: kind, a, b, c as in acquire.lua, then the reset the acquire
           reported for it (a token bucket's TAT after the acquire)

  ARGV last  remember: milliseconds to keep the done mark, >= 1

  Returns the number of limits refunded (0 for a resent cancel).
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
local remember = int_arg(ARGV[#ARGV], "remember", 1)
-- ARGV between the first three and the last: 5 per limit (its spec, then the reset the acquire reported)
local count = (#ARGV - 4) / 5
if count < 1 or count ~= math.floor(count) or (count + 1 ~= #KEYS and count + 2 ~= #KEYS) then
  fail("expected 5 ARGV and one key per limit, got " .. #ARGV .. " ARGV and " .. #KEYS .. " keys")
end
local named = #KEYS == count + 2
-- Everything is parsed before the first write: a malformed cancel changes nothing.
local rules = {}
for i = 1, count do
  local at = 4 + (i - 1) * 5
  rules[i] = parse_specs(at, 1)[1]
  rules[i].reset = int_arg(ARGV[at + 4], "reset", 0)
end
if not redis.call("SET", KEYS[1], "1", "NX", "PX", int_text(remember)) then return 0 end
for i, rule in ipairs(rules) do
  rule.algo.refund(KEYS[1 + i], rule.spec, cost, slot, id, rule.reset, named)
end
if named then redis.call("DEL", KEYS[#KEYS]) end
return count
