import type { RuleSpec } from "./rule-spec.js";

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

/** One `rate-limited` entry of the quota's event history (e.g. a 429 seen by the fetch wrapper). */
export interface RateLimitedEntry {
  readonly type: string;
  /** The HTTP status, when the entry names one. */
  readonly status: number | null;
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
