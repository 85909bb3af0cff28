import { RateLimiterRedis } from "rate-limiter-flexible";
import type { Contender } from "./contender.js";

/** rate-limiter-flexible's Redis limiter: a fixed window kept by one script (SET NX, INCRBY, PTTL). */
export const rateLimiterFlexible: Contender = {
  name: "rate-limiter-flexible RateLimiterRedis",
  unsupported: () => undefined,
  async create(redis, scenario) {
    const limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: scenario.prefix,
      points: 10_000_000,
      duration: 60,
    });
    return {
      decide: async (key) => {
        await limiter.consume(key);
        return true;
      },
    };
  },
};
