import type { Redis } from "@upstash/redis";
import type { Decider } from "../contenders/contender.js";

export const serverlessContenders = [
  "Sluice token bucket",
  "Sluice sliding window (bucketed)",
  "Sluice token bucket, coalesce on",
  "@upstash/ratelimit token bucket",
  "@upstash/ratelimit sliding window",
] as const;

export type ServerlessContender = (typeof serverlessContenders)[number];

/**
 * The contenders whose cold start is measured: one per library, on the same rule. Either library
 * sends one script call per decision whatever its rule, so the other rules would repeat the figures.
 */
export const coldStartContenders: readonly ServerlessContender[] = [
  "Sluice token bucket",
  "@upstash/ratelimit token bucket",
];

/** Makes a contender's decider over an `@upstash/redis` client, its keys under `prefix`. */
export type MakeDecider = (redis: Redis, prefix: string) => Decider;

/**
 * Loads what a function instance of this contender loads, its own library and no other's, and
 * returns how it builds its limiter, as the library's docs show, with its defaults (Sluice's
 * `coalesce` also on, in one row). Limits are so large that nothing is denied (the throughput
 * section's). Every decision is on its own quota name, as a function limiting per user does.
 */
export async function loadServerlessContender(contender: ServerlessContender): Promise<MakeDecider> {
  switch (contender) {
    case "Sluice token bucket":
    case "Sluice sliding window (bucketed)":
    case "Sluice token bucket, coalesce on": {
      const { createLimiter, slidingWindow, tokenBucket } = await import("@sluice/upstash");
      const limits = [
        contender === "Sluice sliding window (bucketed)"
          ? slidingWindow({ limit: 10_000_000, window: "1m" })
          : tokenBucket({ rate: 1_000_000, per: "1s", burst: 1_000_000 }),
      ];
      const coalesce = contender === "Sluice token bucket, coalesce on" ? { coalesce: true } : {};
      return (redis, prefix) => {
        const limiter = createLimiter({ redis, prefix, ...coalesce });
        return {
          decide: async (key) => (await limiter.quota(key, { limits }).tryAcquire()).allowed,
          close: async () => limiter.close(),
        };
      };
    }
    case "@upstash/ratelimit token bucket":
    case "@upstash/ratelimit sliding window": {
      const { Ratelimit } = await import("@upstash/ratelimit");
      const limiter =
        contender === "@upstash/ratelimit token bucket"
          ? Ratelimit.tokenBucket(10_000_000, "60 s", 10_000_000)
          : Ratelimit.slidingWindow(10_000_000, "60 s");
      return (redis, prefix) => {
        const ratelimit = new Ratelimit({ redis, limiter, prefix, analytics: false });
        return { decide: async (key) => (await ratelimit.limit(key)).success };
      };
    }
  }
}
