// @sluice/node accepts iovalkey (an ioredis fork, for Valkey) where it accepts ioredis: the
// conformance suite and the limiter's real-time paths run on its Redis and Cluster.
import { Cluster, Redis } from "iovalkey";
import { afterAll, inject } from "vitest";
import { limiterStore } from "./conformance/limiter-store.js";
import { describeModelEquivalence } from "./conformance/model-equivalence.js";
import { describeStoreConformance } from "./conformance/store-suite.js";
import { describeLimiterSlice } from "./support/limiter-slice.js";

const connectRedis = (): Redis => new Redis(inject("redisUrl"), { maxRetriesPerRequest: 1 });
const connectCluster = (): Cluster =>
  new Cluster(inject("redisClusterNodes"), { redisOptions: { maxRetriesPerRequest: 1 } });

describeStoreConformance("single Redis on iovalkey", limiterStore(connectRedis));
describeStoreConformance("Redis Cluster on iovalkey", limiterStore(connectCluster));
describeModelEquivalence("single Redis on iovalkey", limiterStore(connectRedis), 10);

const redis = connectRedis();
const cluster = connectCluster();
afterAll(async () => {
  await Promise.all([redis.quit(), cluster.quit()]);
});

describeLimiterSlice("an iovalkey Redis", redis, () => redis.script("FLUSH"));
describeLimiterSlice("an iovalkey Cluster", cluster, () =>
  Promise.all(cluster.nodes("master").map((node) => node.script("FLUSH"))),
);
