--[[
  Acquire on a quota whose limits are all token buckets ("tb").

  The same script as acquire.lua with only this algorithm compiled in, and its decisions
  written out for token buckets (includes/acquire-decide-token-buckets): Redis runs the whole
  script body on every call, so the common one-kind quota costs less. KEYS, ARGV, clock and
  reply exactly as in acquire.lua:

  KEYS[1]      the call's key
  KEYS[k]      pause key of a quota
  KEYS[k + i]  key of its limit i
]]

--- @include "includes/common"
--- @include "includes/limits"
--- @include "algorithms/token-bucket"
--- @include "algorithms/arrival"
--- @include "includes/acquire-parse"
--- @include "includes/acquire-decide-token-buckets"
--- @include "includes/acquire-reply"
