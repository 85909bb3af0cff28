/** What every limit rule shares; build rules with the factories, never by hand. */
export interface RuleBase {
  /** Key suffix derived from the parameters: the same rule in every process shares one key. */
  readonly id: string;
  /** Human-readable form used in messages, e.g. `slidingWindow(100 per 1000 ms)`. */
  readonly label: string;
  /** The largest cost one acquire can take; `Infinity` when cost does not apply. */
  readonly capacity: number;
  /**
   * Microseconds over which the rule counts `capacity` units: its window, or the time a token
   * bucket takes to refill its burst; `Infinity` for a concurrency limit (no time span).
   */
  readonly spanUs: number;
  /** The rule as the scripts take it: kind and three integers (microseconds where a time). */
  readonly wire: readonly [kind: string, a: number, b: number, c: number];
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
