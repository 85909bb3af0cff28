import type { RuleSpec } from "./rule-spec.js";

/** What one limit's key holds, as read (see `lua/algorithms/`). */
export type LimitState =
  /** Token bucket: the theoretical arrival time (TAT), µs. */
  | { readonly kind: "tat"; readonly tatUs: number }
  /** Sorted set: members scored in (now - window, now], and after now. */
  | { readonly kind: "log"; readonly inWindow: number; readonly ahead: number }
  /** Hash: field `<k>` = units in bucket or window k (`last` left out). */
  | { readonly kind: "counters"; readonly counters: ReadonlyMap<number, number> };

export interface LimitUsage {
  readonly limit: number;
  readonly used: number;
  readonly available: number;
  readonly waiting: number | null;
}

/**
 * Use, room and reservations of one limit at `nowUs` (Redis TIME), by the same arithmetic as
 * the acquire script's `report`, so it matches what an acquire would see.
 */
export function limitUsage(spec: RuleSpec, state: LimitState, nowUs: number): LimitUsage {
  switch (spec.kind) {
    case "tokenBucket": {
      const { intervalUs: interval, burst } = spec;
      const tat = state.kind === "tat" ? state.tatUs : 0;
      const tokens = Math.floor((nowUs + burst * interval - Math.max(tat, nowUs)) / interval);
      const available = Math.min(burst, Math.max(0, tokens));
      // Each unit spent moved TAT on by one interval; past a full burst, units sit in the future.
      const waiting = Math.max(0, Math.ceil((tat - nowUs) / interval) - burst);
      return { limit: burst, used: burst - available, available, waiting };
    }
    case "concurrency": {
      // Leases are scored by expiry: every one after now is held.
      const held = state.kind === "log" ? state.ahead : 0;
      return { limit: spec.limit, used: held, available: Math.max(0, spec.limit - held), waiting: null };
    }
    case "slidingWindow": {
      if (spec.precision === "exact") {
        const inWindow = state.kind === "log" ? state.inWindow : 0;
        const ahead = state.kind === "log" ? state.ahead : 0;
        return {
          limit: spec.limit,
          used: inWindow,
          available: Math.max(0, spec.limit - inWindow - ahead),
          waiting: ahead,
        };
      }
      const counters = state.kind === "counters" ? state.counters : new Map<number, number>();
      let used = 0;
      let waiting = 0;
      for (const [k, n] of counters) {
        if ((k + 1) * spec.bucketUs <= nowUs - spec.windowUs) continue;
        if (k * spec.bucketUs > nowUs) waiting += n;
        else used += n;
      }
      return { limit: spec.limit, used, available: Math.max(0, spec.limit - used - waiting), waiting };
    }
    case "fixedWindow": {
      const counters = state.kind === "counters" ? state.counters : new Map<number, number>();
      const current = Math.floor((nowUs - spec.alignUs) / spec.windowUs);
      let waiting = 0;
      for (const [k, n] of counters) if (k > current) waiting += n;
      const used = counters.get(current) ?? 0;
      return { limit: spec.limit, used, available: Math.max(0, spec.limit - used), waiting };
    }
  }
}

/** The numeric fields of a bucket or window hash; `last` and anything malformed are left out. */
export function countersOf(hash: Readonly<Record<string, string>>): Map<number, number> {
  const counters = new Map<number, number>();
  for (const [field, value] of Object.entries(hash)) {
    const k = Number(field);
    const n = Number(value);
    if (/^-?\d+$/.test(field) && Number.isSafeInteger(k) && Number.isFinite(n) && n > 0) counters.set(k, n);
  }
  return counters;
}
