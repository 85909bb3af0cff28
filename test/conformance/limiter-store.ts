import type { StoreLimiter } from "@sluice/core/adapter";
import { createLimiter } from "@sluice/node";
import type { Cluster, Redis } from "ioredis";
import type { StoreUnderTest } from "./store-suite.js";

/** The store of a Redis limiter over a fresh connection, closed with it. */
export function limiterStore(connect: () => Redis | Cluster): () => StoreUnderTest {
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
