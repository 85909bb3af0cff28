import type { Rule } from "@sluice/core";

/**
 * The steady rate, in units per second, that a quota's rate limits allow together: the lowest
 * of `rate / per` (token bucket) and `limit / window` (windows). Concurrency limits do not set
 * a rate. `undefined` when no rule does.
 * @example quotaRate([tokenBucket({ rate: 11 }), slidingWindow({ limit: 1_000_000, window: "1d" })]) // 11
 */
export function quotaRate(rules: readonly Rule[]): number | undefined {
  let rate: number | undefined;
  for (const rule of rules) {
    let perSecond: number | undefined;
    if (rule.kind === "tokenBucket") perSecond = (rule.rate * 1000) / rule.perMs;
    else if (rule.kind === "slidingWindow" || rule.kind === "fixedWindow")
      perSecond = (rule.limit * 1000) / rule.windowMs;
    if (perSecond !== undefined) rate = Math.min(rate ?? perSecond, perSecond);
  }
  return rate;
}
