import { createLimiter } from "@sluice/node";
import { connectCluster } from "../support/redis-clients.js";
import { describeModelEquivalence } from "./model-equivalence.js";
import { describeStoreConformance } from "./store-suite.js";

const open = () => {
  const redis = connectCluster();
  const limiter = createLimiter({ redis });
  return {
    store: limiter.store,
    close: async () => {
      limiter.close();
      await redis.quit();
    },
  };
};

describeStoreConformance("Redis Cluster", open);
describeModelEquivalence("Redis Cluster", open, 40);
