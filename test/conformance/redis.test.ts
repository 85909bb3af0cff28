import { connectRedis } from "../support/redis-clients.js";
import { limiterStore } from "./limiter-store.js";
import { describeModelEquivalence } from "./model-equivalence.js";
import { describeStoreConformance } from "./store-suite.js";

const open = limiterStore(connectRedis);

describeStoreConformance("single Redis", open);
describeModelEquivalence("single Redis", open, 40);
