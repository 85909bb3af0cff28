import { slidingWindow, tokenBucket } from "@sluice/core";
import { createFetch } from "@sluice/fetch";
import { createLimiter, type Limiter } from "@sluice/node";
import type { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectCluster, randomPrefix } from "../support/redis-clients";
import { type LimitedServer, startLimitedServer } from "./support/limited-server";

let cluster: Cluster;
let limiter: Limiter;
let api: LimitedServer;

beforeAll(async () => {
  cluster = connectCluster();
  limiter = createLimiter({ redis: cluster, prefix: randomPrefix() });
  api = await startLimitedServer({ limit: 1000, windowMs: 1000, keyHeader: "x-access-key" });
});

afterAll(async () => {
  await api.close();
  limiter.close();
  cluster.disconnect();
});

const slotOf = async (hashTag: string): Promise<number> => Number(await cluster.cluster("KEYSLOT", `{${hashTag}}`));

describe("createFetch on a Redis Cluster", () => {
  it("spends the simplest route's quota", async () => {
    const limitedFetch = createFetch({
      limiter,
      routes: [{ match: `${api.url}/simple/`, quota: "simple", limits: [slidingWindow({ limit: 10, window: "1s" })] }],
    });
    const responses = await Promise.all(Array.from({ length: 15 }, (_, i) => limitedFetch(`${api.url}/simple/${i}`)));
    await Promise.all(responses.map((res) => res.text()));
    expect(responses.map((res) => res.status)).toEqual(Array(15).fill(200));
    const state = await limiter.quota("simple", { limits: [slidingWindow({ limit: 10, window: "1s" })] }).state();
    expect(state.limits[0]?.remaining).toBeLessThan(10);
  });

  it("serves a credential pool whose keys live in different slots, with no cross-slot call", async () => {
    // Each key is its own quota `<group>:key:<id>`, so its own hash tag and slot; the route's
    // group limit is in yet another. Concurrent requests make the coalescer batch acquires of
    // several quotas in one tick: it must split them per slot (a CROSSSLOT error would fail
    // the calls, as failMode "closed" surfaces store errors).
    const ids = ["a", "b", "c", "d"];
    const slots = new Set(await Promise.all(["pool", ...ids.map((id) => `pool:key:${id}`)].map(slotOf)));
    expect(slots.size).toBeGreaterThanOrEqual(3);
    const limitedFetch = createFetch({
      limiter,
      routes: [
        {
          match: `${api.url}/pool/`,
          quota: "pool",
          limits: [slidingWindow({ limit: 100, window: "1s" })],
          credentials: {
            header: "x-access-key",
            keys: ids.map((id) => ({ id, secret: `secret-${id}`, limits: [tokenBucket({ rate: 10, burst: 2 })] })),
          },
        },
      ],
    });
    const n = 24;
    const responses = await Promise.all(Array.from({ length: n }, (_, i) => limitedFetch(`${api.url}/pool/${i}`)));
    await Promise.all(responses.map((res) => res.text()));
    expect(responses.map((res) => res.status)).toEqual(Array(n).fill(200));
    const perKey = ids.map((id) => api.countFor(`secret-${id}`));
    expect(perKey.reduce((a, b) => a + b)).toBe(n);
    for (const count of perKey) expect(count).toBeGreaterThan(0);
    expect(limitedFetch.stats().pool).toMatchObject({ sent: n, rateLimited: 0 });
  });
});
