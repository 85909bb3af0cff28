import type { Rule } from "@sluice/core";

/**
 * The steady rate, in units per second, that a quota's rate limits allow together: the lowest
 * of their `perSecond` (`rate / per` for a token bucket, `limit / window` for windows).
 * Concurrency limits do not set a rate. `undefined` when no rule does.
 * @example quotaRate([tokenBucket({ rate: 11 }), slidingWindow({ limit: 1_000_000, window: "1d" })]) // 11
 */
export function quotaRate(rules: readonly Rule[]): number | undefined {
  let rate: number | undefined;
  for (const { perSecond } of rules) {
    if (perSecond !== undefined) rate = Math.min(rate ?? perSecond, perSecond);
  }
  return rate;
}
