import type { ModelAlgorithm } from "./algorithm.js";

/** Lease id -> expiry, for live leases. */
type Leases = Map<string, number>;

const nextExpiry = (leases: Leases): number | undefined =>
  leases.size === 0 ? undefined : Math.min(...leases.values());

/** Concurrency leases, as lua/algorithms/concurrency.lua: spec = [limit, lease, _]. */
export const concurrencyModel: ModelAlgorithm<Leases> = {
  size: ([limit]) => limit,
  load: (stored, _spec, now) => new Map([...(stored ?? [])].filter(([, expiry]) => expiry > now)),
  earliest(leases, [limit], _n, t, headroom) {
    if (leases.size + 1 + headroom <= limit) return t;
    return { next: nextExpiry(leases) as number };
  },
  commit(leases, [, lease], _n, t, id) {
    leases.set(id, t + lease);
    return Math.max(...leases.values());
  },
  report: (leases, [limit], now) => [Math.max(0, limit - leases.size), nextExpiry(leases) ?? now],
  holds: (leases, id, now) => (leases.get(id) ?? now) > now,
  refund(leases, _spec, _n, _t, id) {
    if (!leases.has(id)) return undefined;
    const rest = new Map(leases);
    rest.delete(id);
    return rest;
  },
};
