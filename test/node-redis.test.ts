// @sluice/node accepts node-redis (`redis` 5 and 6) as well as ioredis. node-redis 6 speaks RESP3
// by default, 5 speaks RESP2 (where a subscribed connection takes no other command), so the
// conformance suite and the limiter's real-time paths run on both, and on a node-redis cluster.
import { createServer } from "node:net";
import { slidingWindow } from "@sluice/core";
import type { StoreLimiter } from "@sluice/core/adapter";
import { createLimiter, type LimiterOptions, StoreUnavailableError } from "@sluice/node";
import { createClient, createCluster } from "redis";
import { createClient as createClient5 } from "redis5";
import { afterAll, describe, expect, inject, it } from "vitest";
import { NodeRedisScriptClient } from "../packages/node/src/node-redis-script-client.js";
import { describeModelEquivalence } from "./conformance/model-equivalence.js";
import { describeStoreConformance, type StoreUnderTest } from "./conformance/store-suite.js";
import { exactOnRedisClock } from "./support/exact.js";
import { describeLimiterSlice } from "./support/limiter-slice.js";
import { connectRedis, randomPrefix } from "./support/redis-clients.js";

type NodeRedis = LimiterOptions["redis"] & { close(): Promise<unknown> };

// node-redis ends the process on an 'error' event nobody listens to; the tests' connections ignore theirs.
const ignore = (): void => {};
const url = inject("redisUrl");
const connect6 = () => createClient({ url }).on("error", ignore).connect();
const connect5 = () => createClient5({ url }).on("error", ignore).connect();
const connectCluster = () =>
  createCluster({
    rootNodes: inject("redisClusterNodes").map(({ host, port }) => ({ url: `redis://${host}:${port}` })),
  })
    .on("error", ignore)
    .connect();

/** The store of a limiter over a connected client, closed with it. */
function limiterStore(redis: NodeRedis): () => StoreUnderTest {
  return () => {
    const limiter = createLimiter({ redis });
    return {
      store: (limiter as StoreLimiter).store,
      close: async () => {
        limiter.close();
        await redis.close();
      },
    };
  };
}

describeStoreConformance("single Redis on node-redis 6", limiterStore(await connect6()));
describeStoreConformance("Redis Cluster on node-redis 6", limiterStore(await connectCluster()));
describeStoreConformance("single Redis on node-redis 5", limiterStore(await connect5()));
describeModelEquivalence("single Redis on node-redis 6", limiterStore(await connect6()), 10);
describeModelEquivalence("Redis Cluster on node-redis 6", limiterStore(await connectCluster()), 10);
describeModelEquivalence("single Redis on node-redis 5", limiterStore(await connect5()), 10);

const client6 = await connect6();
const client5 = await connect5();
const cluster = await connectCluster();
afterAll(async () => {
  await Promise.all([client6.close(), client5.close(), cluster.close()]);
});

describeLimiterSlice("a node-redis 6 client", client6, () => client6.scriptFlush());
describeLimiterSlice("a node-redis 5 client", client5, () => client5.scriptFlush());
describeLimiterSlice("a node-redis 6 cluster", cluster, async () => {
  const masters = await Promise.all(cluster.masters.map((master) => cluster.nodeClient(master)));
  await Promise.all(masters.map((master) => master.scriptFlush()));
});

describe("one quota spent through ioredis, node-redis 6 and node-redis 5 at once", () => {
  it("admits exactly its limit in all", async () => {
    const ioredis = connectRedis();
    const prefix = randomPrefix();
    const limiters = [ioredis, client6, client5].map((redis) => createLimiter({ redis, prefix }));
    try {
      const quotas = limiters.map((limiter) =>
        limiter.quota("mixed", { limits: [slidingWindow({ limit: 7, window: "5s" })], ...exactOnRedisClock }),
      );
      const attempts = await Promise.all(Array.from({ length: 30 }, (_, i) => quotas[i % 3]?.tryAcquire()));
      expect(attempts.filter((attempt) => attempt?.allowed)).toHaveLength(7);
    } finally {
      for (const limiter of limiters) limiter.close();
      await ioredis.quit();
    }
  });
});

describe.each([
  ["node-redis 6", client6, 3],
  ["node-redis 5", client5, 2],
] as const)("the script replies of %s", (_, client, resp) => {
  it(`come over RESP${resp}`, async () => {
    expect(String(await client.sendCommand(["CLIENT", "INFO"]))).toMatch(new RegExp(`\\bresp=${resp}\\b`));
  });

  it("are numbers, exact up to the microsecond timestamps of the next centuries", async () => {
    const scripts = new NodeRedisScriptClient(client);
    const values = [0, -1, 1_795_000_000_000_001, 2 ** 53 - 64, -(2 ** 52 + 1)];
    for (let i = 0; i < 200; i++) values.push(Math.floor(Math.random() * (2 ** 53 - 64)));
    const source = "local out = {} for i, v in ipairs(ARGV) do out[i] = tonumber(v) end return out";
    expect(await scripts.eval(source, [], values.map(String))).toEqual(values);
    scripts.close();
  });
});

/** A loopback port where nothing listens (free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  await new Promise((resolve) => server.close(resolve));
  return address.port;
}

describe.each([
  ["node-redis 6", (url: string) => createClient({ url })],
  ["node-redis 5", (url: string) => createClient5({ url })],
] as const)("a limiter whose Redis cannot be reached (%s)", (_, create) => {
  it("fails after `timeout` with the connection's error as cause, named in the message", async () => {
    const port = await closedPort();
    const redis = create(`redis://127.0.0.1:${port}`).on("error", ignore);
    // node-redis keeps reconnecting and queues commands meanwhile, as ioredis does.
    redis.connect().catch(ignore);
    const limiter = createLimiter({ redis, timeout: "300ms" });
    try {
      const error = await limiter
        .quota("q", { limits: [slidingWindow({ limit: 10, window: "1s" })] })
        .acquire()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toContain(`last connection error: connect ECONNREFUSED 127.0.0.1:${port}`);
      expect((error as Error).cause).toMatchObject({ code: "ECONNREFUSED" });
    } finally {
      limiter.close();
      redis.destroy();
    }
  });
});

describe("a node-redis command timeout shorter than the limiter's `timeout`", () => {
  it("ends a call that waits for an unreachable Redis first, with an error that says so", async () => {
    // node-redis times out a command only while it waits to be written, as here; once written,
    // the limiter's `timeout` alone bounds the wait for the reply.
    const port = await closedPort();
    const redis = createClient({ url: `redis://127.0.0.1:${port}`, commandOptions: { timeout: 100 } });
    redis.on("error", ignore);
    redis.connect().catch(ignore);
    const limiter = createLimiter({ redis, timeout: "2s" });
    try {
      const started = performance.now();
      const error = await limiter
        .quota("q", { limits: [slidingWindow({ limit: 10, window: "1s" })] })
        .acquire()
        .catch((e: unknown) => e);
      expect(performance.now() - started).toBeLessThan(1500);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toContain("node-redis command timeout (the client's commandOptions.timeout");
    } finally {
      limiter.close();
      redis.destroy();
    }
  });
});
