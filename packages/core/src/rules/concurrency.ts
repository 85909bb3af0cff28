import { type Duration, durationToMicros } from "../duration.js";
import { integer, options } from "../validate.js";
import type { ConcurrencyRule } from "./rule.js";
import { ruleId } from "./rule-id.js";
import type { RuleKind } from "./rule-kind.js";
import { named } from "./rule-name.js";

/** The concurrency limit's wire code (lua/algorithms/concurrency.lua) and id prefix: `cc:<limit>`. */
export const CONCURRENCY_WIRE = "cc";

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

/** A concurrency limit as its id names it (the lease is not part of the id). */
export interface ConcurrencySpec {
  readonly kind: "concurrency";
  readonly limit: number;
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
    ...named(ruleId(CONCURRENCY_WIRE, limit), `concurrency(${limit})`, opts.name),
    capacity: Number.POSITIVE_INFINITY,
    size: limit,
    spanUs: Number.POSITIVE_INFINITY,
    perSecond: undefined,
    leased: true,
    keepsIds: true,
    wire: Object.freeze([CONCURRENCY_WIRE, limit, leaseUs, 0] as const),
  });
}

/** The concurrency limit's descriptor; its state is a sorted set of leases scored by expiry. */
export const concurrencyKind: RuleKind<ConcurrencyRule, ConcurrencySpec> = {
  kind: "concurrency",
  codes: [CONCURRENCY_WIRE],
  scaled: (rule, share) => concurrency({ limit: Math.max(1, Math.floor(rule.limit * share)), lease: rule.leaseMs }),
  parseId(_code, params) {
    const [limit = 0] = params;
    return params.length === 1 && limit >= 1 ? { kind: "concurrency", limit } : undefined;
  },
  describe: ({ limit }) => `concurrency ${limit}`,
  read: ({ limit }, type, nowUs) =>
    type !== "zset"
      ? undefined
      : {
          // Every lease expiring after now is held.
          commands: [["ZCOUNT", `(${nowUs}`, "+inf"]],
          usage([held]) {
            const used = Number(held ?? 0);
            return { limit, used, available: Math.max(0, limit - used), waiting: null };
          },
        },
  estimatesWaiting: false,
};
