--[[
  Shared helpers for every Sluice script.

  Times are integer microseconds since the Unix epoch. A double holds integers
  exactly up to 2^53 (year 2255 in microseconds), so arithmetic stays exact as
  long as values are formatted with "%.0f" (fmt): tostring() would print 14
  significant digits and silently lose the last two. A number passed to
  redis.call as it is, Redis writes in a form that reads back exactly (7.0:
  "%.17g"; 7.2: the shortest such form, "1.2e+15" on 7.2.0-7.2.4 for some), which
  is cheaper than fmt where the text is only ever read back as a number.
]]

local function fmt(x)
  return string.format("%.0f", x)
end

-- An integer argument for redis.call. Redis turns a Lua number into text itself, but 7.2.0 to
-- 7.2.4 write one with 7 or more trailing zeros as "1e+07", which commands then refuse
-- (redis/redis#13113): such numbers go as exact text, small ones as they are (cheaper).
local function int_text(n)
  if n > -1000000 and n < 1000000 then return n end
  return fmt(n)
end

local function fail(message)
  error({ err = "ERR sluice: " .. message })
end

-- Integer ARGV, validated before any write so a malformed call leaves state untouched.
local function int_arg(value, name, min)
  local n = tonumber(value)
  -- n % 1 is NaN for NaN and the infinities, and not 0 for fractions
  if n == nil or n % 1 ~= 0 or n < min then
    fail(name .. " must be an integer >= " .. min .. ", got '" .. tostring(value) .. "'")
  end
  return n
end

-- Under an injected clock (tests only) keys live a minute longer than their state matters:
-- Redis expires them on its real clock, which may run ahead of the steps a test injects.
local injected_ttl_slack_us = 0

-- Redis TIME is the only clock; ARGV may override it for deterministic tests only.
local function clock(override)
  if override ~= nil and override ~= "" then
    injected_ttl_slack_us = 60000000
    return int_arg(override, "now", 0)
  end
  local t = redis.call("TIME")
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end

-- A TTL in whole milliseconds, rounded up, so a key never dies before its state stops mattering.
local function ttl_ms(us)
  return int_text(math.max(1, math.ceil((us + injected_ttl_slack_us) / 1000)))
end

local function expire_after(key, us)
  redis.call("PEXPIRE", key, ttl_ms(us))
end

local algorithms = {}
