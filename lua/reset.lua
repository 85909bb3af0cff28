--[[
  Forgets all state of a quota: its limits, reservations, leases and pause.

  KEYS[i]  every key of the quota (pause key and limit keys)
  ARGV     none

  Returns the number of keys deleted.
]]

return redis.call("DEL", unpack(KEYS))
