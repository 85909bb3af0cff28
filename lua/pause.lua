--[[
  Pauses a quota: no acquire is admitted before the pause ends (shared cooldown, e.g. after a
  429 with Retry-After). A shorter pause never shortens a longer one already in force.

  KEYS[1]  pause key of the quota
  ARGV[1]  duration: microseconds >= 1
  ARGV[2]  now: "" for Redis TIME; microseconds for tests only

  Clock: Redis TIME. Returns the paused-until time in force, microseconds.
]]

--- @include "includes/common"

local duration = int_arg(ARGV[1], "duration", 1)
local now = clock(ARGV[2])
local current = tonumber(redis.call("GET", KEYS[1])) or 0
local untilt = now + duration
if current >= untilt then return current end
redis.call("SET", KEYS[1], fmt(untilt))
expire_after(KEYS[1], duration)
return untilt
