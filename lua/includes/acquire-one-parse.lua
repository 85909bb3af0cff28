--[[
  The first part of every one-request script (acquire-one-*.lua), before the script reads its
  limit's own parameters ARGV[7..9]: the clock and the request's terms, and the quota's arrival
  part when KEYS[4] is given, validated with the messages of acquire-parse. Nothing is read from
  or written to Redis here but the clock.

  Integers are read with tonumber and checked together, int_arg's checks written out (a call of
  int_arg per argument costs more than the rest of the parsing): only a malformed call goes
  through int_arg, which names the argument.

  Leaves: now, remember, named, cost, max_wait, waits (whether the request may wait: maxWait ~= 0),
  headroom_pm, arrival (whether the quota has an arrival part) and its spec margin0, pace, cap
  (all 0 without one), argc (the ARGV count so far: 9, or 12 with an arrival part).
]]

local now = clock(ARGV[1])
-- A negative remember marks a named request's call, as in acquire-parse.
local named = ARGV[2] ~= nil and ARGV[2]:sub(1, 1) == "-"
local remember, cost, max_wait, headroom_pm = tonumber(named and ARGV[2]:sub(2) or ARGV[2]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
-- n % 1 is NaN for NaN and the infinities, and not 0 for fractions
if
  not (remember and cost and max_wait and headroom_pm)
  or remember % 1 ~= 0 or cost % 1 ~= 0 or max_wait % 1 ~= 0 or headroom_pm % 1 ~= 0
  or remember < 0 or cost < 1 or max_wait < -1 or headroom_pm < 0
then
  int_arg(named and ARGV[2]:sub(2) or ARGV[2], "remember", 0)
  int_arg(ARGV[4], "cost", 0)
  int_arg(ARGV[5], "maxWait", -1)
  int_arg(ARGV[6], "headroom", 0)
  fail("an acquire needs a cost >= 1")
end
local waits = max_wait ~= 0

local arrival = #KEYS == 4
local margin0, pace, cap, argc = 0, 0, 0, 9
if arrival then
  margin0, pace, cap = tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12])
  if
    not (margin0 and pace and cap)
    or margin0 % 1 ~= 0 or pace % 1 ~= 0 or cap % 1 ~= 0 or margin0 < 0 or pace < 0 or cap < 0
  then
    int_arg(ARGV[10], "margin", 0)
    int_arg(ARGV[11], "pace", 0)
    int_arg(ARGV[12], "cap", 0)
  end
  if cap > 0 and margin0 > cap then fail("margin must be <= cap, got '" .. ARGV[10] .. "'") end
  argc = 12
end
