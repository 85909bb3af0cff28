--[[
  The end of the arrival part for the one-request scripts (after acquire-one-arrival), once the
  reply holds the figures the decision was made with: an admitted request that may wait is the
  latest slot, steps the margin and share back in clean full use, and the state is written with
  its lifetime. Same steps as arrival_part.commit and .save: change both together.
]]

if arrival and admitted and waits then
  al = math.max(al, slot)
  local window = 4 * cap
  if cap > 0 and slot > now and now - ag >= 3 * window and now - as >= window then
    ae = math.min(1000, ae + 25)
    -- the lateness processes reported lately, halved per window since (recent_lateness)
    local halvings = math.floor((now - apt) / window)
    local recent = 0
    if halvings < 30 then recent = math.floor(ap / 2 ^ halvings) end
    am = math.max(math.min(am, recent), math.floor(am * 0.8))
    as = now
  end
  redis.call(
    "HSET", KEYS[4], "m", fmt(am), "e", fmt(ae), "l", fmt(al), "g", fmt(ag), "s", fmt(as), "p", fmt(ap), "pt", fmt(apt)
  )
  local lifetime = math.max(1, 4 * cap, pace)
  if am ~= margin0 or ae < 1000 or ap > 0 then lifetime = math.max(1, 40 * cap) end
  expire_after(KEYS[4], lifetime + math.max(0, al - now))
end
