--[[
  Acquire on a quota whose limits are all fixed windows ("fw").

  The same script as acquire.lua with only this algorithm compiled in: Redis runs the whole
  script body on every call, so leaving the other algorithms out makes the common
  one-kind quota cheaper. KEYS, ARGV, clock and reply exactly as in acquire.lua:

  KEYS[1]      the call's key
  KEYS[k]      pause key of a quota
  KEYS[k + i]  key of its limit i
]]

--- @include "includes/common"
--- @include "includes/limits"
--- @include "algorithms/fixed-window"
--- @include "algorithms/arrival"
--- @include "includes/acquire-parse"
--- @include "includes/acquire-decide"
--- @include "includes/acquire-reply"
