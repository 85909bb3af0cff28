import { createLimiter } from "@sluice/node";
import { connectRedis } from "../support/redis-clients.js";
import { describeModelEquivalence } from "./model-equivalence.js";
import { describeStoreConformance } from "./store-suite.js";

const open = () => {
  const redis = connectRedis();
  const limiter = createLimiter({ redis });
  return {
    store: limiter.store,
    close: async () => {
      limiter.close();
      await redis.quit();
    },
  };
};

describeStoreConformance("single Redis", open);
describeModelEquivalence("single Redis", open, 40);
