--[[
  Parses `count` limits: `fields` ARGV entries per limit starting at ARGV[first], each
  "<kind>", "<a>", "<b>", "<c>"[, extra], the key of limit i being KEYS[key_offset + i].
  Every limit is validated, and `cost` (the largest cost that will be asked of it) checked
  against its capacity, before the script writes anything.
]]

local function parse_limits(first, fields, count, key_offset, cost)
  if first + count * fields - 1 > #ARGV or key_offset + count > #KEYS then
    fail("expected " .. fields .. " ARGV and one key per limit, got " .. #ARGV .. " ARGV and " .. #KEYS .. " keys")
  end
  local limits = {}
  for i = 1, count do
    local at = first + (i - 1) * fields
    local algo = algorithms[ARGV[at]]
    if algo == nil then fail("unknown limit kind '" .. tostring(ARGV[at]) .. "' for limit " .. i) end
    local spec = algo.parse(ARGV[at + 1], ARGV[at + 2], ARGV[at + 3])
    if cost > algo.capacity(spec) then
      fail("cost " .. cost .. " exceeds the capacity " .. algo.capacity(spec) .. " of limit " .. i)
    end
    limits[i] = { algo = algo, spec = spec, key = KEYS[key_offset + i], extra = ARGV[at + 4] }
  end
  return limits
end
