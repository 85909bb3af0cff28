--[[
  A one-request script's decision through the algorithm interface, for the states its
  written-out path does not cover (a fixed window's reservations ahead, a log's gaps before its
  reservations). Included inside that branch, after the algorithm's module, which is therefore
  loaded (its closures made) only when the branch runs. Decides as acquire-decide decides one
  request of a quota with one limit and its arrival part: change both together.

  Takes the locals of acquire-one-parse, -ready and -arrival, and `paused`; sets slot,
  blocking, admitted and reply (declared by the script), commits and saves the limit.
]]

-- The one algorithm the branch loaded.
local _, algo = next(algorithms)
local spec = algo.parse(ARGV[7], ARGV[8], ARGV[9])
if am ~= 0 or ae < 1000 or cap > 0 then spec = algo.widen(spec, am, ae, need, waits, cap) end
local state = algo.load(KEYS[3], spec, now)
-- Iterate the limit and the pacing to their common fixed point; after 32 passes an exact log
-- stops looking for gaps (see acquire-decide).
local settled, queueable = false, true
slot, blocking = math.max(now, paused), 0
if paused > now then blocking = -1 end
for pass = 1, 64 do
  local t, expiry = algo.earliest(state, spec, cost, slot, KEYS[3], headroom, pass <= 32)
  if t == nil then
    slot, blocking, queueable = now + math.max(0, expiry - now), 1, false
    break
  end
  local moved = t > slot
  if moved then slot, blocking = t, 1 end
  if arrival and waits then
    t = paced(slot)
    if t > slot then slot, blocking, moved = t, 2, true end
  end
  if not moved or not arrival then
    settled = true
    break
  end
end
local wait = slot - now
admitted = settled and (max_wait < 0 or wait <= max_wait)
if admitted then algo.commit(state, spec, cost, slot, id, now, waits, named) end
local remaining, reset = algo.report(state, spec, now)
reply = { now, (blocking + 1) * 4 + (queueable and 0 or 2) + (admitted and 1 or 0), wait, remaining, reset - now }
if admitted then algo.save(state, KEYS[3], spec, now) end
