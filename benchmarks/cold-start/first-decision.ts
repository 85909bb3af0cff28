import { createHash } from "node:crypto";
import { createLimiter, tokenBucket } from "@sluice/node";
import { RateLimiterRedis } from "rate-limiter-flexible";
import { bottleneckLimiter } from "../contenders/bottleneck.js";
import { physicalLimitScript } from "../contenders/physical-limit.js";
import { upstashLimiter } from "../contenders/upstash.js";
import type { Connection } from "../redis-targets.js";

export const coldStartContenders = [
  "physical limit (INCR+PEXPIRE script)",
  "Sluice token bucket",
  "rate-limiter-flexible RateLimiterRedis",
  "@upstash/ratelimit sliding window",
  "bottleneck (ioredis clustering)",
] as const;

export type ColdStartContender = (typeof coldStartContenders)[number];

/** What a fresh process does for its first decision with each contender, as its docs show. */
export async function firstDecision(contender: ColdStartContender, redis: Connection, quota: string): Promise<void> {
  switch (contender) {
    case "physical limit (INCR+PEXPIRE script)":
      // As a script runner must: EVALSHA first, EVAL when the server does not have it.
      try {
        await redis.evalsha(createHash("sha1").update(physicalLimitScript).digest("hex"), 1, quota);
      } catch (error) {
        if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
        await redis.eval(physicalLimitScript, 1, quota);
      }
      return;
    case "Sluice token bucket": {
      const limiter = createLimiter({ redis, prefix: "cold" });
      await limiter.quota(quota, { limits: [tokenBucket({ rate: 10 })] }).tryAcquire();
      return;
    }
    case "rate-limiter-flexible RateLimiterRedis": {
      const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: "cold", points: 10, duration: 1 });
      await limiter.consume(quota);
      return;
    }
    case "@upstash/ratelimit sliding window": {
      const { ratelimit, identifier } = upstashLimiter(redis, "single", "sliding window", "cold", 10, 1_000);
      await ratelimit.limit(identifier(quota));
      return;
    }
    case "bottleneck (ioredis clustering)": {
      const { limiter } = await bottleneckLimiter(redis, `cold:${quota}`, { maxConcurrent: 1, minTime: 100 });
      await limiter.schedule(async () => undefined);
      return;
    }
  }
}
