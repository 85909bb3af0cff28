import { connectCluster } from "../support/redis-clients.js";
import { limiterStore } from "./limiter-store.js";
import { describeModelEquivalence } from "./model-equivalence.js";
import { describeStoreConformance } from "./store-suite.js";

const open = limiterStore(connectCluster);

describeStoreConformance("Redis Cluster", open);
// Calls of one request on one limit go to their own scripts above: here, to the batch script.
describeStoreConformance("Redis Cluster, batch scripts only", limiterStore(connectCluster, { batchOnly: true }));
describeModelEquivalence("Redis Cluster", open, 40);
