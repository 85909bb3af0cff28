import { type Duration, durationToMicros } from "../duration.js";
import { integer, invalid, options } from "../validate.js";
import { countersOf } from "./counter-hash.js";
import type { SlidingWindowRule } from "./rule.js";
import { ruleId } from "./rule-id.js";
import type { RuleKind } from "./rule-kind.js";
import { named } from "./rule-name.js";

/** The exact log's wire code (lua/algorithms/sliding-log.lua) and id prefix: `sw:<limit>:<windowUs>`. */
export const SLIDING_LOG_WIRE = "sw";
/**
 * The bucketed window's wire code (lua/algorithms/sliding-buckets.lua) and id prefix:
 * `swb:<limit>:<windowUs>:<bucketUs>`.
 */
export const SLIDING_BUCKETS_WIRE = "swb";

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

/** A sliding window as its id names it (µs). */
export type SlidingWindowSpec =
  | {
      readonly kind: "slidingWindow";
      readonly precision: "exact";
      readonly limit: number;
      readonly windowUs: number;
    }
  | {
      readonly kind: "slidingWindow";
      readonly precision: "bucketed";
      readonly limit: number;
      readonly windowUs: number;
      readonly bucketUs: number;
    };

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
  const common = {
    kind: "slidingWindow",
    limit,
    windowMs,
    precision,
    buckets,
  } as const;
  const counts = {
    capacity: limit,
    size: limit,
    spanUs: windowUs,
    perSecond: (limit * 1000) / windowMs,
    leased: false,
  } as const;
  if (precision === "exact") {
    return Object.freeze({
      ...common,
      ...named(ruleId(SLIDING_LOG_WIRE, limit, windowUs), `slidingWindow(${limit} per ${windowMs} ms)`, opts.name),
      ...counts,
      // log members are named after request ids
      keepsIds: true,
      wire: Object.freeze([SLIDING_LOG_WIRE, limit, windowUs, 0] as const),
    });
  }
  const bucketUs = Math.ceil(windowUs / buckets);
  return Object.freeze({
    ...common,
    ...named(
      ruleId(SLIDING_BUCKETS_WIRE, limit, windowUs, bucketUs),
      `slidingWindow(${limit} per ${windowMs} ms, ${buckets} buckets)`,
      opts.name,
    ),
    ...counts,
    keepsIds: false,
    wire: Object.freeze([SLIDING_BUCKETS_WIRE, limit, windowUs, bucketUs] as const),
  });
}

/**
 * The sliding window's descriptor. An exact log is a sorted set of admitted units scored by
 * their slots; a bucketed window, a hash of units per bucket.
 */
export const slidingWindowKind: RuleKind<SlidingWindowRule, SlidingWindowSpec> = {
  kind: "slidingWindow",
  codes: [SLIDING_LOG_WIRE, SLIDING_BUCKETS_WIRE],
  scaled: (rule, share) =>
    slidingWindow({
      limit: Math.max(1, Math.floor(rule.limit * share)),
      window: rule.windowMs,
      precision: rule.precision,
      buckets: rule.buckets,
    }),
  parseId(code, params) {
    const [limit = 0, windowUs = 0, bucketUs = 0] = params;
    if (limit < 1 || windowUs < 1) return undefined;
    if (code === SLIDING_LOG_WIRE && params.length === 2)
      return { kind: "slidingWindow", precision: "exact", limit, windowUs };
    if (code === SLIDING_BUCKETS_WIRE && params.length === 3 && bucketUs >= 1)
      return { kind: "slidingWindow", precision: "bucketed", limit, windowUs, bucketUs };
    return undefined;
  },
  describe: (spec, duration) =>
    spec.precision === "exact"
      ? `slidingWindow ${spec.limit} per ${duration(spec.windowUs)}`
      : `slidingWindow ${spec.limit} per ${duration(spec.windowUs)}, ${Number((spec.windowUs / spec.bucketUs).toFixed(0))} buckets`,
  read(spec, type, nowUs) {
    const { limit, windowUs } = spec;
    if (spec.precision === "exact") {
      if (type !== "zset") return undefined;
      return {
        // Entries in the window ending now, and entries after now (reservations).
        commands: [
          ["ZCOUNT", `(${nowUs - windowUs}`, `${nowUs}`],
          ["ZCOUNT", `(${nowUs}`, "+inf"],
        ],
        usage([inWindow, after]) {
          const used = Number(inWindow ?? 0);
          const waiting = Number(after ?? 0);
          return { limit, used, available: Math.max(0, limit - used - waiting), waiting };
        },
      };
    }
    if (type !== "hash") return undefined;
    const { bucketUs } = spec;
    return {
      commands: [["HGETALL"]],
      usage([hash]) {
        const counters = countersOf(hash);
        if (counters === undefined) return undefined;
        let used = 0;
        let waiting = 0;
        for (const [k, n] of counters) {
          if ((k + 1) * bucketUs <= nowUs - windowUs) continue;
          if (k * bucketUs > nowUs) waiting += n;
          else used += n;
        }
        return { limit, used, available: Math.max(0, limit - used - waiting), waiting };
      },
    };
  },
  estimatesWaiting: false,
};
