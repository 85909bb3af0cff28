--[[
  Parses `count` limit specs from ARGV[first]: "<kind>", "<a>", "<b>", "<c>" each, validated
  before the script writes anything. Returns them as a list with `capacity`, the largest cost
  all of them can ever admit, `uses_id`, whether any of them keeps request ids, and `arrival`,
  the index of the quota's arrival part (algorithms/arrival.lua) when it has one.
]]

-- A limit scaled to a share (per mille, from the arrival part), never below what one request
-- needs (its cost and headroom): the widened limits of every algorithm use it.
local function share_of(limit, share, need)
  if share >= 1000 then return limit end
  return math.max(need, math.floor(limit * share / 1000))
end

local function parse_specs(first, count)
  if first + count * 4 - 1 > #ARGV then fail("expected 4 ARGV per limit, got " .. #ARGV .. " ARGV in all") end
  local specs = { capacity = math.huge, uses_id = false }
  for i = 1, count do
    local at = first + (i - 1) * 4
    local algo = algorithms[ARGV[at]]
    if algo == nil then fail("unknown limit kind '" .. tostring(ARGV[at]) .. "' for limit " .. i) end
    local spec = algo.parse(ARGV[at + 1], ARGV[at + 2], ARGV[at + 3])
    specs[i] = { algo = algo, spec = spec }
    specs.capacity = math.min(specs.capacity, algo.capacity(spec))
    specs.uses_id = specs.uses_id or algo.uses_id == true
    if algo.arrival then specs.arrival = i end
  end
  return specs
end
