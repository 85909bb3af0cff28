--[[
  The second part of every one-request script, after it read its limit's parameters and set
  `capacity` (the largest cost the limit admits) and `size` (the units headroom is a share of),
  and `argc` to the ARGV it expects: checks the counts and that the request can ever fit, then
  answers a resent or retried call from its remembered reply and refuses a late one, as
  acquire-parse does. Nothing has been written before.

  Leaves: headroom (units of the limit to leave free) and need (cost plus headroom).
]]

if #ARGV ~= argc or #KEYS ~= (arrival and 4 or 3) then
  fail("ARGV and KEYS do not match the counts given: " .. #ARGV .. " ARGV, " .. #KEYS .. " keys")
end
if cost > capacity then fail("cost " .. cost .. " exceeds the capacity " .. capacity .. " of a limit") end
local headroom = 0
if headroom_pm > 0 then
  headroom = math.floor(size * headroom_pm / 1000)
  if cost + headroom > size then
    fail("cost " .. cost .. " plus the headroom " .. headroom .. " can never fit limit 1")
  end
end
local need = cost + headroom

-- A call resent by the client after a reconnect (the reply of the first run was lost), or a
-- named request its caller retries, gets the first run's answer and changes nothing, with
-- Redis time now after it, as in acquire-parse. These limits hold no leases, so a remembered
-- grant always stands.
if remember > 0 then
  local first_run = redis.call("GET", KEYS[1])
  if first_run then
    first_run = cmsgpack.unpack(first_run)
    first_run[#first_run + 1] = now
    return first_run
  end
end

-- A call that reaches Redis after its caller gave up (a stall, a reconnect) admits nothing.
if ARGV[3] ~= "" and now > int_arg(ARGV[3], "deadline", 0) then
  fail("the call arrived after its deadline; nothing was admitted")
end
