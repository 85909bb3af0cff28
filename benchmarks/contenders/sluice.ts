import { createLimiter, fixedWindow, type Rule, slidingWindow, tokenBucket } from "@sluice/node";
import type { Contender } from "./contender.js";

// Large enough that a pass of tens of thousands of decisions on one quota is never denied.
const algorithms: ReadonlyArray<readonly [string, () => Rule]> = [
  ["token bucket", () => tokenBucket({ rate: 1_000_000, per: "1s", burst: 1_000_000 })],
  ["sliding window (bucketed)", () => slidingWindow({ limit: 10_000_000, window: "1m" })],
  ["sliding window (exact)", () => slidingWindow({ limit: 1_000, window: "1m" })],
  ["fixed window", () => fixedWindow({ limit: 10_000_000, window: "1m" })],
];

/** Sluice, one contender per algorithm, with coalescing on (the default) or off. */
export function sluiceContenders(coalesce: boolean): Contender[] {
  return algorithms.map(([algorithm, rule]) => ({
    name: `Sluice ${algorithm}${coalesce ? "" : ", coalesce off"}`,
    unsupported: (scenario) =>
      algorithm === "sliding window (exact)" && scenario.workload === "hot"
        ? "an exact log holds one member per admission: at most 1000 by default, far below a pass"
        : undefined,
    async create(redis, scenario) {
      const limiter = createLimiter({ redis, prefix: scenario.prefix, coalesce });
      const limits = [rule()];
      const hot = limiter.quota("hot", { limits });
      return {
        decide: async (key) => {
          // Per-key limits make a quota per request name, as an app limiting per user would.
          const quota = scenario.workload === "hot" ? hot : limiter.quota(key, { limits });
          return (await quota.tryAcquire()).allowed;
        },
        close: async () => limiter.close(),
      };
    },
  }));
}
