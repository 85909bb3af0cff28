// A long-running Node worker (a queue consumer, a cron job) on @sluice/node over TCP, here with
// ioredis (iovalkey and node-redis clients are taken as they are). It waits for its slots
// instead of refusing: it has no caller to answer 429 to.
import { createLimiter } from "@sluice/node";
import type { Redis } from "ioredis";
import { PREFIX, QUOTA, quotaOptions } from "./quota.js";

export interface NodeWorker {
  /** One job: waits for the fleet's next free slot, then calls the API; the slot's epoch ms. */
  job(): Promise<number>;
  close(): void;
}

export function nodeWorker(redis: Redis): NodeWorker {
  const limiter = createLimiter({ redis, prefix: PREFIX });
  const api = limiter.quota(QUOTA, quotaOptions);
  return {
    async job() {
      const grant = await api.acquire();
      // The call the quota protects goes here.
      return grant.admittedAt;
    },
    close: () => limiter.close(),
  };
}
