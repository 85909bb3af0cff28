import type { StoreLimiter } from "@sluice/core/adapter";
import { createLimiter, type LimiterOptions } from "@sluice/node";
import type { StoreUnderTest } from "./store-suite.js";

/** The store of a Redis limiter over a fresh connection (ioredis 5 or 6), closed with it. */
export function limiterStore(
  connect: () => LimiterOptions["redis"] & { quit(): Promise<unknown> },
): () => StoreUnderTest {
  return () => {
    const redis = connect();
    const limiter = createLimiter({ redis });
    return {
      store: (limiter as StoreLimiter).store,
      close: async () => {
        limiter.close();
        await redis.quit();
      },
    };
  };
}
