--[[
  Parses `count` limit specs from ARGV[first]: "<kind>", "<a>", "<b>", "<c>" each, validated
  before the script writes anything. Returns them as a list with `capacity`, the largest cost
  all of them can ever admit, and `uses_id`, whether any of them keeps request ids.
]]

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
  end
  return specs
end
