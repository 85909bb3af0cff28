import { randomBytes } from "node:crypto";
import { Cluster, Redis } from "ioredis";
import { inject } from "vitest";

export function connectRedis(): Redis {
  return new Redis(inject("redisUrl"), { lazyConnect: false, maxRetriesPerRequest: 1 });
}

export function connectCluster(): Cluster {
  return new Cluster(inject("redisClusterNodes"), { redisOptions: { maxRetriesPerRequest: 1 } });
}

/** A fresh key prefix such as `t:1a2b3c4d`, so tests sharing a server never see each other's keys. */
export function randomPrefix(): string {
  return `t:${randomBytes(4).toString("hex")}`;
}
