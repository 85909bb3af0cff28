import type { RuleSpec } from "@sluice/core/adapter";

/** One limit of a quota as `sluice status` sees it, computed from its key and Redis TIME. */
export interface LimitReport {
  /** The rule id from the key, e.g. `sw:100:1000000`. */
  readonly id: string;
  readonly rule: RuleSpec;
  /** The rule in words, e.g. `slidingWindow 100 per 1 s`. */
  readonly description: string;
  /** Units per window (token bucket: the burst; concurrency: holders at once). */
  readonly limit: number;
  /**
   * Units spent now: admissions in the window ending now, tokens missing from the bucket,
   * the current fixed window's count, or live leases.
   */
  readonly used: number;
  /** Units an acquire could take now, reservations ahead counted as spent. */
  readonly available: number;
  /**
   * Units reserved for slots after now (callers sleeping until their turn); `null` for
   * concurrency, which cannot be reserved ahead. For a token bucket, an estimate from its TAT.
   */
  readonly waiting: number | null;
}

/** A shared pause in force. */
export interface PauseReport {
  /** Epoch ms at which it ends. */
  readonly until: number;
  /** Milliseconds left, rounded up. */
  readonly remainingMs: number;
}

/**
 * What a quota learned about arrivals, from its arrival key (the rules are in
 * `lua/algorithms/arrival.lua` and `docs/arrival.md`). Times are epoch ms on Redis's clock.
 */
export interface ArrivalReport {
  /** Ms added to every window of the quota, e.g. `50`. */
  readonly marginMs: number;
  /** Share of each configured limit in force, 0.1 to 1 (below 1 after spend outside Sluice), e.g. `0.75`. */
  readonly share: number;
  /**
   * The largest lateness (ms) processes reported lately, as reported at `latenessAt`: how long
   * after their slots requests were answered. Halved for every window since, it is the floor
   * of the margin. 0: none.
   */
  readonly latenessMs: number;
  /** When `latenessMs` was reported; `null` when none was. */
  readonly latenessAt: number | null;
  /** The last change a 429 caused; a new state counts as changed when it starts. */
  readonly changedAt: number;
  /**
   * The last step back: while the quota runs in full use without 429s, at most once per window,
   * the share rises and the margin shrinks (or, already whole or at its floor, stay). A new state
   * starts with it equal to `changedAt`; still equal: neither has happened since.
   */
  readonly steppedBackAt: number;
}

/** One `rate-limited` entry of the quota's event history (e.g. a 429 or 503 seen by `Quota.feedback`). */
export interface RateLimitedEntry {
  readonly type: string;
  /** The HTTP status, when the entry names one. */
  readonly status: number | null;
  /**
   * What the quota made of it, when the entry says: `"delay-spread"` (the margin grew),
   * `"outside-spend"` (the share fell), `"same-burst"` (already learned from), `"server-wait"`.
   */
  readonly cause: string | null;
  /** The margin (ms) in force after it, when it went to the quota's learning (not `"server-wait"`). */
  readonly marginMs: number | null;
  /** The share (0.1 to 1) in force after it, when it went to the quota's learning. */
  readonly share: number | null;
  /** Epoch ms at which it was noted (the noting process's clock). */
  readonly at: number | null;
}

/** A key under the quota that `sluice status` does not know how to read. */
export interface OtherKey {
  readonly suffix: string;
  /** Its Redis type. */
  readonly type: string;
}

export interface QuotaReport {
  /** The quota name, unescaped. */
  readonly name: string;
  /** Limits that have state in Redis (an idle limit's key has expired, so it is not listed). */
  readonly limits: readonly LimitReport[];
  /** The pause in force, or `null`. */
  readonly pause: PauseReport | null;
  /** What the quota learned about arrivals, or `null` when it keeps no arrival key. */
  readonly arrival: ArrivalReport | null;
  /** `rate-limited` entries in the history, and the newest few of them, newest first. */
  readonly rateLimited: { readonly count: number; readonly recent: readonly RateLimitedEntry[] };
  readonly otherKeys: readonly OtherKey[];
}

/** Everything under one prefix, at one moment. */
export interface StatusReport {
  readonly prefix: string;
  /** Epoch ms, from Redis TIME (the first master's on a Cluster). */
  readonly redisTime: number;
  /** By name. */
  readonly quotas: readonly QuotaReport[];
}
