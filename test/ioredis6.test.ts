// @sluice/node accepts ioredis 5 and 6 (peer `^5.0.0 || ^6.0.0`); every other Redis test runs on
// 5. ioredis 6 speaks RESP3 by default (HELLO 3 on connect), so this file runs the conformance
// suite and the limiter's real-time paths (pub/sub wake-ups, NOSCRIPT) on 6, single and Cluster.
import { concurrency, QuotaExceededError, slidingWindow } from "@sluice/core";
import { createLimiter } from "@sluice/node";
import { Cluster, Redis } from "ioredis6";
import { afterAll, describe, expect, inject, it } from "vitest";
import { limiterStore } from "./conformance/limiter-store.js";
import { describeModelEquivalence } from "./conformance/model-equivalence.js";
import { describeStoreConformance } from "./conformance/store-suite.js";
import { exactOnRedisClock } from "./support/exact.js";
import { randomPrefix } from "./support/redis-clients.js";

const connectRedis = (): Redis => new Redis(inject("redisUrl"), { maxRetriesPerRequest: 1 });
const connectCluster = (): Cluster =>
  new Cluster(inject("redisClusterNodes"), { redisOptions: { maxRetriesPerRequest: 1 } });

describeStoreConformance("single Redis on ioredis 6", limiterStore(connectRedis));
describeStoreConformance("Redis Cluster on ioredis 6", limiterStore(connectCluster));
describeModelEquivalence("single Redis on ioredis 6", limiterStore(connectRedis), 10);

const redis = connectRedis();
const cluster = connectCluster();
afterAll(async () => {
  await Promise.all([redis.quit(), cluster.quit()]);
});

/** Empties the script cache of every server the client talks to. */
async function flushScripts(client: Redis | Cluster): Promise<void> {
  const servers = client instanceof Cluster ? client.nodes("master") : [client];
  await Promise.all(servers.map((server) => server.script("FLUSH")));
}

describe.each([
  ["single Redis", redis],
  ["Redis Cluster", cluster],
] as Array<[string, Redis | Cluster]>)("a limiter on an ioredis 6 client (%s)", (_, client) => {
  const limiter = createLimiter({ redis: client, prefix: randomPrefix() });
  afterAll(() => limiter.close());
  let n = 0;
  const name = () => `v6-${++n}`;

  it("talks RESP3 to the server", async () => {
    const servers = client instanceof Cluster ? client.nodes("master") : [client];
    await limiter.quota(name(), { limits: [slidingWindow({ limit: 1, window: "1s" })] }).tryAcquire();
    expect(String(await servers[0]?.client("INFO"))).toMatch(/\bresp=3\b/);
  });

  it("admits exactly the window's limit, to concurrent callers too, and says when the next slot comes", async () => {
    const q = limiter.quota(name(), { limits: [slidingWindow({ limit: 5, window: "2s" })], ...exactOnRedisClock });
    const attempts = await Promise.all(Array.from({ length: 8 }, () => q.tryAcquire()));
    expect(attempts.filter((a) => a.allowed)).toHaveLength(5);
    const denied = attempts.find((a) => !a.allowed);
    expect(denied?.retryAfterMs).toBeGreaterThan(1500);
    expect(denied?.retryAfterMs).toBeLessThanOrEqual(2000);
    const error = await q.acquire({ maxWait: "1s" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuotaExceededError);
    expect((await q.state()).limits[0]?.remaining).toBe(0);
  });

  it("wakes a waiter for a concurrency slot when the holder releases (pub/sub), not at the lease's end", async () => {
    const q = limiter.quota(name(), { limits: [concurrency({ limit: 1, lease: "10s" })] });
    const holder = await q.acquire();
    const waiting = q.acquire({ maxWait: "5s" });
    setTimeout(() => void q.release(holder), 100);
    const started = performance.now();
    const grant = await waiting;
    expect(performance.now() - started).toBeLessThan(2000);
    await q.release(grant);
  });

  it("runs its scripts again after SCRIPT FLUSH (EVALSHA, NOSCRIPT, then EVAL)", async () => {
    const q = limiter.quota(name(), { limits: [slidingWindow({ limit: 3, window: "2s" })] });
    expect((await q.tryAcquire()).allowed).toBe(true);
    await flushScripts(client);
    expect((await q.tryAcquire()).allowed).toBe(true);
    expect((await q.tryAcquire()).allowed).toBe(true);
    expect((await q.tryAcquire()).allowed).toBe(false);
  });
});
