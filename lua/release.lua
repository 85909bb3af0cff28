--[[
  Releases a concurrency lease and wakes the waiters of each semaphore it frees.

  KEYS[i]  concurrency limit keys the lease was taken on
  ARGV[1]  lease id (the request id of the acquire)

  Publishes the lease id on the channel named like each key it was removed from, so waiters
  retry at once instead of polling.
  Returns the number of keys the lease was removed from (0 when it had already expired).
]]

--- @include "includes/common"

local id = ARGV[1]
if id == nil or id == "" then fail("lease id is required") end
local released = 0
for _, key in ipairs(KEYS) do
  if redis.call("ZREM", key, id) > 0 then
    released = released + 1
    redis.call("PUBLISH", key, id)
  end
end
return released
