import { type Duration, durationToMicros } from "../duration.js";
import { integer, options } from "../validate.js";
import type { ConcurrencyRule } from "./rule.js";
import { named } from "./rule-name.js";

export interface ConcurrencyOptions {
  /** Holders at once across all processes. Minimum 1. @example 20 */
  readonly limit: number;
  /**
   * How long a lease lives unless released: a holder that dies frees its slot after this.
   * Longer than the longest hold, 1 ms to 366 days.
   * @default "60s"
   */
  readonly lease?: Duration;
  /**
   * Separates this rule's state from another rule with the same parameters in the same quota
   * (two endpoints with equal limits). 1 to 200 characters.
   * @example "user-info"
   */
  readonly name?: string;
}

/**
 * Concurrency: a distributed semaphore. Each acquire takes one slot (whatever its cost) and
 * holds it until `release` or until its lease expires.
 * @example concurrency({ limit: 20, lease: "30s" })
 */
export function concurrency(input: ConcurrencyOptions): ConcurrencyRule {
  const opts = options("concurrency options", input);
  const limit = integer("limit", opts.limit, 1);
  const leaseUs = durationToMicros("lease", opts.lease ?? 60_000);
  return Object.freeze({
    kind: "concurrency",
    limit,
    leaseMs: leaseUs / 1000,
    ...named(`cc:${limit}`, `concurrency(${limit})`, opts.name),
    capacity: Number.POSITIVE_INFINITY,
    spanUs: Number.POSITIVE_INFINITY,
    wire: Object.freeze(["cc", limit, leaseUs, 0] as const),
  });
}
