import { randomBytes } from "node:crypto";
import { Cluster, Redis } from "ioredis";
import { inject } from "vitest";

/** A client of the test Redis; `keyPrefix` as ioredis's (put before every key). */
export function connectRedis(options: { keyPrefix?: string } = {}): Redis {
  return new Redis(inject("redisUrl"), { lazyConnect: false, maxRetriesPerRequest: 1, ...options });
}

/** A client of the test Cluster; `keyPrefix` as ioredis's (put before every key). */
export function connectCluster(options: { keyPrefix?: string } = {}): Cluster {
  return new Cluster(inject("redisClusterNodes"), { redisOptions: { maxRetriesPerRequest: 1 }, ...options });
}

/** A fresh key prefix such as `t:1a2b3c4d`, so tests sharing a server never see each other's keys. */
export function randomPrefix(): string {
  return `t:${randomBytes(4).toString("hex")}`;
}
