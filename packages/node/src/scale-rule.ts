import { concurrency, fixedWindow, type Rule, slidingWindow, tokenBucket } from "@sluice/core";

/**
 * The same rule holding `share` of its capacity (at least one unit), for the local fallback:
 * N processes each on `1/N` of the quota stay within it together while Redis is away.
 */
export function scaleRule(rule: Rule, share: number): Rule {
  const part = (n: number) => Math.max(1, Math.floor(n * share));
  switch (rule.kind) {
    case "tokenBucket":
      return tokenBucket({ rate: rule.rate * share, per: rule.perMs, burst: part(rule.burst) });
    case "slidingWindow":
      return slidingWindow({
        limit: part(rule.limit),
        window: rule.windowMs,
        precision: rule.precision,
        buckets: rule.buckets,
      });
    case "fixedWindow":
      return fixedWindow({ limit: part(rule.limit), window: rule.windowMs, align: rule.alignMs });
    case "concurrency":
      return concurrency({ limit: part(rule.limit), lease: rule.leaseMs });
  }
}
