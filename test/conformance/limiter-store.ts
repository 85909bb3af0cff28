import { RedisStore, type StoreLimiter } from "@sluice/core/adapter";
import { createLimiter, type LimiterOptions } from "@sluice/node";
import { type IoredisClient, IoredisScriptClient } from "../../packages/node/src/ioredis-script-client.js";
import type { StoreUnderTest } from "./store-suite.js";

/**
 * The store of a Redis limiter over a fresh connection (ioredis 5 or 6), closed with it. With
 * `batchOnly`, a Redis store that sends even a call of one request on one limit to the batch
 * script, so that the suites check the batch path where the one-request scripts would decide.
 */
export function limiterStore(
  connect: () => LimiterOptions["redis"] & { quit(): Promise<unknown> },
  { batchOnly = false } = {},
): () => StoreUnderTest {
  return () => {
    const redis = connect();
    if (batchOnly) {
      return {
        store: new RedisStore(new IoredisScriptClient(redis as IoredisClient), { oneRequestScripts: false }),
        close: async () => {
          await redis.quit();
        },
      };
    }
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
