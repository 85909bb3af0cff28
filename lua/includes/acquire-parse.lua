--[[
  The first half of every acquire script (acquire.lua and the one-algorithm scripts): reads the
  clock, parses and validates the whole call (as documented in acquire.lua) before anything is
  written, answers a resent or retried call from its remembered reply, refuses a late one.
  Included after the algorithms the script supports, before the half that decides
  (acquire-decide or acquire-decide-token-buckets).

  Leaves: now, record, remember, named, quota_count, quotas[q] = { set, key_at, first, last, cost,
  max_wait, headrooms } (the terms every request of q shares) and, where the rule set keeps ids,
  ids[j] per request j (first..last of its quota).

  Written for Redis's Lua interpreter, which runs this on every call: each number is parsed
  once per run, no table is made per request, each rule's size is worked out once per rule
  set, and requests without headroom share one list of zero headrooms per rule set.
]]

local now = clock(ARGV[1])
local record = ARGV[2] == "1"
-- A negative remember marks a named request's call (acquire({ id })): its id outlives this
-- decision (a retry after its lease was released, or after the reply was forgotten, is decided
-- again under it), so a log names this decision's entries apart (sliding-log.lua).
local named = ARGV[3] ~= nil and ARGV[3]:sub(1, 1) == "-"
local remember = int_arg(named and ARGV[3]:sub(2) or ARGV[3], "remember", 0)

-- Parse and validate everything before anything is written. Rule sets are sent once and
-- shared by every quota of the call that uses them (distinct quotas often share their rules).
local set_count = int_arg(ARGV[5], "rule set count", 1)
local sets, at = {}, 6
for s = 1, set_count do
  local limit_count = int_arg(ARGV[at], "limit count", 1)
  local set = parse_specs(at + 1, limit_count)
  set.no_headrooms = {}
  for i, rule in ipairs(set) do
    rule.size = rule.algo.size(rule.spec)
    -- a concurrency limit takes one slot whatever the cost
    rule.one_slot = rule.algo.capacity(rule.spec) == math.huge
    set.no_headrooms[i] = 0
  end
  sets[s] = set
  at = at + 1 + limit_count * 4
end

-- Units of each limit a request must leave free (headroom kept for higher priorities).
local function headrooms_of(set, headroom_pm, cost)
  if headroom_pm == 0 then return set.no_headrooms end
  local headrooms = {}
  for i = 1, #set do
    local rule = set[i]
    headrooms[i] = math.floor(rule.size * headroom_pm / 1000)
    local need = rule.one_slot and 1 or cost
    if record and need + headrooms[i] > rule.size then
      fail("cost " .. need .. " plus the headroom " .. headrooms[i] .. " can never fit limit " .. i)
    end
  end
  return headrooms
end

-- Quotas come in runs of quotas that share a rule set, a number of requests and each
-- request's cost, maxWait and headroom_pm (a batch of tryAcquires on distinct keys is one run):
-- 6 ARGV (N quotas, rule set, R, cost, maxWait, headroom_pm), then N * R request ids if the rule
-- set keeps ids. Each quota has 1 + L KEYS (pause, then one per limit).
local quota_count = int_arg(ARGV[at], "quota count", 1)
at = at + 1
local quotas, ids, key_at, q, r = {}, {}, 2, 0, 0
while q < quota_count do
  if at + 5 > #ARGV then fail("expected 6 ARGV per run of quotas, got " .. #ARGV .. " ARGV in all") end
  local run = int_arg(ARGV[at], "run length", 1)
  local set = sets[int_arg(ARGV[at + 1], "rule set", 1)]
  if set == nil then fail("rule set " .. ARGV[at + 1] .. " is not defined") end
  local request_count = int_arg(ARGV[at + 2], "request count", 1)
  local cost = int_arg(ARGV[at + 3], "cost", 0)
  if cost > set.capacity then fail("cost " .. cost .. " exceeds the capacity " .. set.capacity .. " of a limit") end
  if record and cost < 1 then fail("an acquire needs a cost >= 1") end
  local max_wait = int_arg(ARGV[at + 4], "maxWait", -1)
  local headrooms = headrooms_of(set, int_arg(ARGV[at + 5], "headroom", 0), cost)
  at = at + 6
  if q + run > quota_count then fail("runs give more quotas than the count " .. quota_count) end
  -- The work of a call stays bounded by its size: every quota has its KEYS, and requests are capped.
  if key_at + run * (#set + 1) - 1 > #KEYS then fail("a run of " .. run .. " quotas needs more KEYS than given") end
  if r + run * request_count > 100000 then fail("a call decides at most 100000 requests") end
  for _ = 1, run do
    q = q + 1
    quotas[q] = {
      set = set, key_at = key_at, first = r + 1, last = r + request_count,
      cost = cost, max_wait = max_wait, headrooms = headrooms,
    }
    if set.uses_id then
      for _ = 1, request_count do
        r = r + 1
        local id = ARGV[at]
        at = at + 1
        if record and (id == nil or id == "") then fail("an acquire needs a request id where kept") end
        ids[r] = id
      end
    else
      r = r + request_count
    end
    key_at = key_at + #set + 1
  end
end
if at ~= #ARGV + 1 or key_at ~= #KEYS + 1 then
  fail("ARGV and KEYS do not match the counts given: " .. #ARGV .. " ARGV, " .. #KEYS .. " keys")
end

-- Whether every grant of a remembered reply still holds: a lease it took may have been
-- released or have expired since, and a grant without its lease must not be answered again.
local function grants_hold(first_run)
  local n = 1
  for q = 1, quota_count do
    local quota = quotas[q]
    local set = quota.set
    for j = quota.first, quota.last do
      if first_run[n + 1] % 2 == 1 then
        for i = 1, #set do
          local holds = set[i].algo.holds
          if holds and not holds(KEYS[quota.key_at + i], set[i].spec, ids[j], now) then return false end
        end
      end
      n = n + 2 + 2 * #set
    end
  end
  return true
end

-- A call resent by the client after a reconnect (the reply of the first run was lost), or a
-- named request its caller retries, gets the first run's answer and changes nothing: the
-- quota is never charged twice. Redis time now goes after it, so the caller can tell the
-- answer is remembered and place it on its clock. A reply whose grants no longer hold is
-- forgotten, and the call decided afresh.
if record and remember > 0 then
  local first_run = redis.call("GET", KEYS[1])
  if first_run then
    first_run = cmsgpack.unpack(first_run)
    if grants_hold(first_run) then
      first_run[#first_run + 1] = now
      return first_run
    end
    redis.call("DEL", KEYS[1])
  end
end

-- A call that reaches Redis after its caller gave up (a stall, a reconnect) admits nothing:
-- nobody would use the slot, and a lease would stay taken until it expired.
if record and ARGV[4] ~= "" and now > int_arg(ARGV[4], "deadline", 0) then
  fail("the call arrived after its deadline; nothing was admitted")
end
