import { type Duration, durationToMicros } from "../duration.js";
import { integer, invalid, options } from "../validate.js";
import type { SlidingWindowRule } from "./rule.js";
import { named } from "./rule-name.js";

/** Limits up to this size keep an exact log by default; larger ones are bucketed. */
export const EXACT_LOG_MAX_LIMIT = 1000;

export interface SlidingWindowOptions {
  /** Admissions allowed in any interval of length `window`. Minimum 1. @example 100 */
  readonly limit: number;
  /** Window length, 1 ms to 366 days. @example "1s" */
  readonly window: Duration;
  /**
   * `"exact"`: a log entry per admitted unit (memory grows with `limit`).
   * `"bucketed"`: one counter per bucket (memory bounded by `buckets`); may under-admit by up
   * to `limit / buckets` per window, never over-admits.
   * @default limit <= 1000 ? "exact" : "bucketed"
   */
  readonly precision?: "exact" | "bucketed";
  /** Buckets per window when bucketed. Minimum 2. @default 100 */
  readonly buckets?: number;
  /**
   * Separates this rule's state from another rule with the same parameters in the same quota
   * (two endpoints with equal limits). 1 to 200 characters.
   * @example "user-info"
   */
  readonly name?: string;
}

/**
 * Sliding window: in ANY interval of length `window`, at most `limit` admissions.
 * @example slidingWindow({ limit: 1_000_000, window: "1d" })
 */
export function slidingWindow(input: SlidingWindowOptions): SlidingWindowRule {
  const opts = options("slidingWindow options", input);
  const limit = integer("limit", opts.limit, 1);
  const windowUs = durationToMicros("window", opts.window);
  const precision = opts.precision ?? (limit <= EXACT_LOG_MAX_LIMIT ? "exact" : "bucketed");
  if (precision !== "exact" && precision !== "bucketed") invalid("precision", '"exact" or "bucketed"', precision);
  // Buckets of at least 1 ms each; only checked when they are used or given.
  const buckets =
    precision === "bucketed" || opts.buckets !== undefined
      ? integer("buckets", opts.buckets ?? Math.min(100, Math.floor(windowUs / 1000)), 2, Math.floor(windowUs / 1000))
      : 100;
  const windowMs = windowUs / 1000;
  if (precision === "exact") {
    return Object.freeze({
      kind: "slidingWindow",
      limit,
      windowMs,
      precision,
      buckets,
      ...named(`sw:${limit}:${windowUs}`, `slidingWindow(${limit} per ${windowMs} ms)`, opts.name),
      capacity: limit,
      spanUs: windowUs,
      wire: Object.freeze(["sw", limit, windowUs, 0] as const),
    });
  }
  const bucketUs = Math.ceil(windowUs / buckets);
  return Object.freeze({
    kind: "slidingWindow",
    limit,
    windowMs,
    precision,
    buckets,
    ...named(
      `swb:${limit}:${windowUs}:${bucketUs}`,
      `slidingWindow(${limit} per ${windowMs} ms, ${buckets} buckets)`,
      opts.name,
    ),
    capacity: limit,
    spanUs: windowUs,
    wire: Object.freeze(["swb", limit, windowUs, bucketUs] as const),
  });
}
