import { createHash } from "node:crypto";
import type { Connection } from "../redis-targets.js";

export const coldStartContenders = [
  "physical limit (INCR+PEXPIRE script)",
  "Sluice token bucket",
  "rate-limiter-flexible RateLimiterRedis",
  "@upstash/ratelimit sliding window",
  "bottleneck (ioredis clustering)",
] as const;

export type ColdStartContender = (typeof coldStartContenders)[number];

/** A fresh process's first decision on `quota`. */
export type FirstDecision = (redis: Connection, quota: string) => Promise<void>;

/**
 * Loads what a fresh process of this contender loads, its own library and no other's, and
 * returns its first decision, made as the library's docs show.
 */
export async function loadFirstDecision(contender: ColdStartContender): Promise<FirstDecision> {
  switch (contender) {
    case "physical limit (INCR+PEXPIRE script)": {
      const { physicalLimitScript } = await import("../contenders/physical-limit.js");
      const sha = createHash("sha1").update(physicalLimitScript).digest("hex");
      // As a script runner must: EVALSHA first, EVAL when the server does not have it.
      return async (redis, quota) => {
        try {
          await redis.evalsha(sha, 1, quota);
        } catch (error) {
          if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
          await redis.eval(physicalLimitScript, 1, quota);
        }
      };
    }
    case "Sluice token bucket": {
      const { createLimiter, tokenBucket } = await import("@sluice/node");
      return async (redis, quota) => {
        const limiter = createLimiter({ redis, prefix: "cold" });
        await limiter.quota(quota, { limits: [tokenBucket({ rate: 10 })] }).tryAcquire();
      };
    }
    case "rate-limiter-flexible RateLimiterRedis": {
      const { RateLimiterRedis } = await import("rate-limiter-flexible");
      return async (redis, quota) => {
        const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: "cold", points: 10, duration: 1 });
        await limiter.consume(quota);
      };
    }
    case "@upstash/ratelimit sliding window": {
      const { upstashLimiter } = await import("../contenders/upstash.js");
      return async (redis, quota) => {
        const { ratelimit, identifier } = upstashLimiter(redis, "single", "sliding window", "cold", 10, 1_000);
        await ratelimit.limit(identifier(quota));
      };
    }
    case "bottleneck (ioredis clustering)": {
      const { bottleneckLimiter } = await import("../contenders/bottleneck.js");
      return async (redis, quota) => {
        const { limiter } = await bottleneckLimiter(redis, `cold:${quota}`, { maxConcurrent: 1, minTime: 100 });
        await limiter.schedule(async () => undefined);
      };
    }
  }
}
