import { connectCluster } from "../support/redis-clients.js";
import { limiterStore } from "./limiter-store.js";
import { describeModelEquivalence } from "./model-equivalence.js";
import { describeStoreConformance } from "./store-suite.js";

const open = limiterStore(connectCluster);

describeStoreConformance("Redis Cluster", open);
describeModelEquivalence("Redis Cluster", open, 40);
