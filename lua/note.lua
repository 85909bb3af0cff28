--[[
  Appends an event to a quota's short history (e.g. a 429 seen by the fetch wrapper), for
  `sluice status` to show. Keeps the newest entries only, and forgets them when idle.

  KEYS[1]  events key of the quota (list, newest first)
  ARGV[1]  the event: a short JSON object, written by the caller
  ARGV[2]  how many entries to keep, >= 1
  ARGV[3]  how long to keep the list after its last entry, milliseconds >= 1

  Clock: none. Returns the length of the list.
]]

--- @include "includes/common"

if ARGV[1] == nil or ARGV[1] == "" then fail("event is required") end
local keep = int_arg(ARGV[2], "keep", 1)
local ttl = int_arg(ARGV[3], "ttl", 1)
redis.call("LPUSH", KEYS[1], ARGV[1])
redis.call("LTRIM", KEYS[1], 0, int_text(keep - 1))
redis.call("PEXPIRE", KEYS[1], int_text(ttl))
return redis.call("LLEN", KEYS[1])
