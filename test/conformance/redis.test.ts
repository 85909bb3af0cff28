import { connectRedis } from "../support/redis-clients.js";
import { limiterStore } from "./limiter-store.js";
import { describeModelEquivalence } from "./model-equivalence.js";
import { describeStoreConformance } from "./store-suite.js";

const open = limiterStore(connectRedis);

describeStoreConformance("single Redis", open);
// Calls of one request on one limit go to their own scripts above: here, to the batch script.
describeStoreConformance("single Redis, batch scripts only", limiterStore(connectRedis, { batchOnly: true }));
describeModelEquivalence("single Redis", open, 40);
