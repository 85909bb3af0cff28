import { createLimiter, fixedWindow, type LimiterOptions, slidingWindow, tokenBucket } from "@sluice/upstash";
import { Redis as Upstash } from "@upstash/redis";
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startUpstashEndpoint, type UpstashEndpoint } from "../../tools/upstash-endpoint.js";
import { OwnRedis } from "../faults/support/redis-process.js";
import { randomPrefix } from "../support/redis-clients.js";

// HTTP requests per decision, counted where they arrive: at the local Upstash endpoint, in
// front of a redis-server of this file's own (SCRIPT FLUSH would disturb the shared one), whose
// command statistics tell EVAL from EVALSHA.
let server: OwnRedis;
let admin: Redis;
let endpoint: UpstashEndpoint;

beforeAll(async () => {
  server = await OwnRedis.start();
  admin = new Redis(server.url);
  endpoint = await startUpstashEndpoint({ redisUrl: server.url });
});

afterAll(async () => {
  await endpoint.close();
  admin.disconnect();
  await server.stop();
});

beforeEach(async () => {
  await admin.config("RESETSTAT");
  endpoint.resetStats();
});

/** A new function instance: its own client and limiter. */
const instance = (clientOptions: { enableAutoPipelining?: boolean } = {}, options: Partial<LimiterOptions> = {}) =>
  createLimiter({
    redis: new Upstash({ url: endpoint.url, token: endpoint.token, ...clientOptions }),
    prefix: randomPrefix(),
    ...options,
  });

const scriptCalls = async (): Promise<{ eval: number; evalsha: number }> => {
  const stats = await admin.info("commandstats");
  const calls = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
  return { eval: calls("eval"), evalsha: calls("evalsha") };
};

const limits = [tokenBucket({ rate: 100 })];

describe("a cold start", () => {
  it.each([
    ["on", true, "/pipeline"],
    ["off", false, "/"],
  ])(
    "decides first in one HTTP request, the script cached or not (auto-pipelining %s)",
    async (_, pipelining, path) => {
      await admin.script("FLUSH");
      const flushed = instance({ enableAutoPipelining: pipelining }).quota("cold", { limits });
      expect((await flushed.tryAcquire()).allowed).toBe(true);
      expect(endpoint.stats).toEqual({ requests: 1, byPath: { [path]: 1 } });
      // the script is cached now: another new instance pays the same single request
      endpoint.resetStats();
      const cached = instance({ enableAutoPipelining: pipelining }).quota("cold", { limits });
      expect((await cached.tryAcquire()).allowed).toBe(true);
      expect(endpoint.stats).toEqual({ requests: 1, byPath: { [path]: 1 } });
      // one EVAL each (it runs the script and loads it), no SCRIPT LOAD, no NOSCRIPT trip
      expect(await scriptCalls()).toEqual({ eval: 2, evalsha: 0 });
    },
  );

  it("a warm instance decides with EVALSHA; after a flush, one decision takes two (NOSCRIPT, then EVAL)", async () => {
    const quota = instance().quota("warm", { limits });
    await quota.tryAcquire();
    endpoint.resetStats();
    await quota.tryAcquire();
    expect(endpoint.stats.requests).toBe(1);
    await admin.script("FLUSH");
    endpoint.resetStats();
    expect((await quota.tryAcquire()).allowed).toBe(true);
    expect(endpoint.stats.requests).toBe(2);
    expect(await scriptCalls()).toEqual({ eval: 2, evalsha: 2 });
  });

  it("limiters made per request on one client send the script's source once", async () => {
    const redis = new Upstash({ url: endpoint.url, token: endpoint.token });
    for (let i = 0; i < 3; i++) {
      await createLimiter({ redis, prefix: randomPrefix() }).quota("per-request", { limits }).tryAcquire();
    }
    expect(await scriptCalls()).toEqual({ eval: 1, evalsha: 2 });
  });
});

describe("coalesced decisions", () => {
  // With coalescing (off by default: a Worker cancels a call one request sends for another) the
  // batcher keeps two calls in flight (one prepared while Redis runs the other) and shares a
  // queue between them: the client's auto-pipelining sends both in one request; without it,
  // they are two.
  it.each([
    [true, 1],
    [false, 2],
  ])("share a request, on one quota or many (auto-pipelining %s: %i)", async (pipelining, requests) => {
    const limiter = instance({ enableAutoPipelining: pipelining }, { coalesce: true });
    const hot = limiter.quota("hot", { limits });
    const many = ["a", "b", "c", "d"].map((name) =>
      limiter.quota(name, { limits: [slidingWindow({ limit: 5, window: "1s" })] }),
    );
    await hot.tryAcquire();
    endpoint.resetStats();
    const attempts = await Promise.all([
      ...Array.from({ length: 20 }, () => hot.tryAcquire()),
      ...many.map((quota) => quota.tryAcquire()),
    ]);
    expect(attempts.every((attempt) => attempt.allowed)).toBe(true);
    expect(endpoint.stats.requests).toBe(requests);
  });

  it("without coalescing, decisions made in one tick ride the client's auto-pipelining: one request", async () => {
    const limiter = instance({});
    const quotas = ["a", "b", "c", "d", "e"].map((name) => limiter.quota(name, { limits }));
    await quotas[0]?.tryAcquire();
    endpoint.resetStats();
    await Promise.all(quotas.map((quota) => quota.tryAcquire()));
    expect(endpoint.stats).toEqual({ requests: 1, byPath: { "/pipeline": 1 } });
    expect((await scriptCalls()).evalsha).toBe(5);
  });
});

describe("denials answered from memory (cacheDenials)", () => {
  const full = [fixedWindow({ limit: 1, window: "1s" })];
  const options = { arrivalMargin: 0, pacing: false } as const;

  it("cost no request until the slot; then the store is asked and admits", async () => {
    const quota = instance().quota("blocked", { limits: full, ...options });
    expect((await quota.tryAcquire()).allowed).toBe(true);
    const denied = await quota.tryAcquire();
    expect(denied.allowed).toBe(false);
    endpoint.resetStats();
    const again = await Promise.all(Array.from({ length: 10 }, () => quota.tryAcquire()));
    expect(again.every((attempt) => !attempt.allowed && attempt.retryAfterMs <= denied.retryAfterMs)).toBe(true);
    expect(endpoint.stats.requests).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, denied.retryAfterMs));
    expect((await quota.tryAcquire()).allowed).toBe(true);
    expect(endpoint.stats.requests).toBe(1);
  });

  it("with cacheDenials: false, every denial is a request", async () => {
    const quota = instance({}, { cacheDenials: false }).quota("blocked", { limits: full, ...options });
    await quota.tryAcquire();
    endpoint.resetStats();
    for (let i = 0; i < 3; i++) expect((await quota.tryAcquire()).allowed).toBe(false);
    expect(endpoint.stats.requests).toBe(3);
  });
});
