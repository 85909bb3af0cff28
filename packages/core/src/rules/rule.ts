import type { CONCURRENCY_WIRE } from "./concurrency.js";
import type { FIXED_WINDOW_WIRE } from "./fixed-window.js";
import type { SLIDING_BUCKETS_WIRE, SLIDING_LOG_WIRE } from "./sliding-window.js";
import type { TOKEN_BUCKET_WIRE } from "./token-bucket.js";

/**
 * The code an algorithm goes by in the scripts (each lua/algorithms/*.lua registers under it)
 * and at the start of a rule's id. Each is declared once, in its kind's module.
 */
export type WireCode =
  | typeof TOKEN_BUCKET_WIRE
  | typeof SLIDING_LOG_WIRE
  | typeof SLIDING_BUCKETS_WIRE
  | typeof FIXED_WINDOW_WIRE
  | typeof CONCURRENCY_WIRE;

/** What every limit rule shares; build rules with the factories, never by hand. */
export interface RuleBase {
  /** Key suffix derived from the parameters: the same rule in every process shares one key. */
  readonly id: string;
  /** Human-readable form used in messages, e.g. `slidingWindow(100 per 1000 ms)`. */
  readonly label: string;
  /** The largest cost one acquire can take; `Infinity` when cost does not apply. */
  readonly capacity: number;
  /**
   * Units one span admits: a token bucket's burst, every other rule's limit (for a concurrency
   * limit, holders at once). Headroom is a share of it.
   */
  readonly size: number;
  /**
   * Microseconds over which the rule counts `capacity` units: its window, or the time a token
   * bucket takes to refill its burst; `Infinity` for a concurrency limit (no time span).
   */
  readonly spanUs: number;
  /** Sustained units per second the rule allows; `undefined` for a concurrency limit (no rate). */
  readonly perSecond: number | undefined;
  /**
   * Whether an acquire holds a lease on it until released (a concurrency limit): it takes one
   * slot whatever the cost, and a grant must be released.
   */
  readonly leased: boolean;
  /** Whether its state in the store keeps request ids (log entries, leases): only then does an acquire send one. */
  readonly keepsIds: boolean;
  /** The rule as the scripts take it: its wire code and three integers (microseconds where a time). */
  readonly wire: readonly [code: WireCode, a: number, b: number, c: number];
}

export interface TokenBucketRule extends RuleBase {
  readonly kind: "tokenBucket";
  readonly rate: number;
  readonly perMs: number;
  readonly burst: number;
}

export interface SlidingWindowRule extends RuleBase {
  readonly kind: "slidingWindow";
  readonly limit: number;
  readonly windowMs: number;
  /** `"exact"` keeps a log; `"bucketed"` counts per bucket in bounded memory. */
  readonly precision: "exact" | "bucketed";
  readonly buckets: number;
}

export interface FixedWindowRule extends RuleBase {
  readonly kind: "fixedWindow";
  readonly limit: number;
  readonly windowMs: number;
  readonly alignMs: number;
}

export interface ConcurrencyRule extends RuleBase {
  readonly kind: "concurrency";
  readonly limit: number;
  readonly leaseMs: number;
}

/** One limit of a quota. */
export type Rule = TokenBucketRule | SlidingWindowRule | FixedWindowRule | ConcurrencyRule;
