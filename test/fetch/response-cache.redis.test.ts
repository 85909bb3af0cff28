import type { IncomingMessage } from "node:http";
import { slidingWindow } from "@sluice/core";
import { type CacheStore, createFetch, type FetchEvent, type ResponseCacheOptions } from "@sluice/fetch";
import { createLimiter, type Limiter } from "@sluice/node";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connectRedis, randomPrefix } from "../support/redis-clients";
import { type LimitedServer, type ScriptedAnswer, startLimitedServer } from "./support/limited-server";

let redis: Redis;
let limiter: Limiter;
let cachePrefix: string;
const closers: Array<() => unknown> = [];
const limits = [slidingWindow({ limit: 100, window: "1m" })];

beforeEach(() => {
  redis = connectRedis();
  limiter = createLimiter({ redis, prefix: randomPrefix() });
  cachePrefix = `${randomPrefix()}:cache`;
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  limiter.close();
  redis.disconnect();
});

/** A local API whose every answer is `answer(request)`; it counts what it receives. */
async function api(answer: (request: IncomingMessage) => ScriptedAnswer): Promise<LimitedServer> {
  const server = await startLimitedServer({ limit: 1000, windowMs: 1000, script: (_, request) => answer(request) });
  closers.push(() => server.close());
  return server;
}

function cachedFetch(
  server: LimitedServer,
  cache: Partial<ResponseCacheOptions> = {},
  extra: { limiter?: Limiter; onEvent?: (event: FetchEvent) => void } = {},
) {
  return createFetch({
    limiter: extra.limiter ?? limiter,
    routes: [{ match: `${server.url}/`, quota: "cached", limits }],
    cache: { redis, prefix: cachePrefix, ...cache },
    ...(extra.onEvent === undefined ? {} : { onEvent: extra.onEvent }),
  });
}

const remaining = async (on: Limiter = limiter): Promise<number | undefined> =>
  (await on.quota("cached", { limits }).state()).limits[0]?.remaining;

const maxAge60 = (request: IncomingMessage): ScriptedAnswer => ({
  status: 200,
  headers: { "cache-control": "max-age=60" },
  body: `body of ${request.url}`,
});

describe("shared response cache (Redis)", () => {
  it("serves a max-age=60 answer from the cache the second time, spending no quota", async () => {
    const server = await api(maxAge60);
    const events: FetchEvent[] = [];
    const limitedFetch = cachedFetch(server, {}, { onEvent: (event) => events.push(event) });
    const first = await limitedFetch(`${server.url}/items/1`);
    expect(await first.text()).toBe("body of /items/1");
    expect(await remaining()).toBe(99);
    const second = await limitedFetch(`${server.url}/items/1`);
    expect(second.status).toBe(200);
    expect(second.headers.get("cache-control")).toBe("max-age=60");
    expect(await second.text()).toBe("body of /items/1");
    expect(server.requests).toBe(1);
    expect(await remaining()).toBe(99);
    expect(limitedFetch.stats().cached).toMatchObject({ sent: 1, cacheHits: 1 });
    expect(events.filter((event) => event.type === "cache-hit")).toHaveLength(1);
    const keys = await redis.keys(`${cachePrefix}:*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(new RegExp(`^${cachePrefix}:[0-9a-f]{64}$`));
  });

  it("is shared: another createFetch (another process) on the same Redis hits the same entry", async () => {
    const server = await api(maxAge60);
    await (await cachedFetch(server)(`${server.url}/shared`)).text();
    const otherRedis = connectRedis();
    const otherLimiter = createLimiter({ redis: otherRedis, prefix: randomPrefix() });
    closers.push(() => {
      otherLimiter.close();
      otherRedis.disconnect();
    });
    const other = createFetch({
      limiter: otherLimiter,
      routes: [{ match: `${server.url}/`, quota: "cached", limits }],
      cache: { redis: otherRedis, prefix: cachePrefix },
    });
    expect(await (await other(`${server.url}/shared`)).text()).toBe("body of /shared");
    expect(server.requests).toBe(1);
    expect(other.stats().cached).toMatchObject({ sent: 0, cacheHits: 1 });
    expect(await remaining(otherLimiter)).toBe(100);
  });

  it("does not cache no-store, nor an answer without cache headers", async () => {
    const server = await api((request) => ({
      status: 200,
      headers: request.url === "/no-store" ? { "cache-control": "no-store, max-age=60" } : {},
    }));
    const limitedFetch = cachedFetch(server);
    for (const path of ["/no-store", "/no-store", "/plain", "/plain"])
      await (await limitedFetch(`${server.url}${path}`)).text();
    expect(server.requests).toBe(4);
    expect(await redis.keys(`${cachePrefix}:*`)).toEqual([]);
  });

  it("revalidates with If-None-Match and serves the cached body on 304 (the 304 spends a slot)", async () => {
    const conditionals: Array<string | undefined> = [];
    const server = await api((request) => {
      const tag = request.headers["if-none-match"];
      conditionals.push(typeof tag === "string" ? tag : undefined);
      if (tag === '"v1"') return { status: 304, headers: { etag: '"v1"', "cache-control": "no-cache" } };
      return { status: 200, headers: { etag: '"v1"', "cache-control": "no-cache" }, body: "payload v1" };
    });
    const events: FetchEvent[] = [];
    const limitedFetch = cachedFetch(server, {}, { onEvent: (event) => events.push(event) });
    expect(await (await limitedFetch(`${server.url}/tagged`)).text()).toBe("payload v1");
    const second = await limitedFetch(`${server.url}/tagged`);
    expect(second.status).toBe(200);
    expect(await second.text()).toBe("payload v1");
    expect(server.requests).toBe(2);
    expect(conditionals).toEqual([undefined, '"v1"']);
    expect(await remaining()).toBe(98);
    expect(limitedFetch.stats().cached).toMatchObject({ sent: 2, cacheHits: 0, cacheRevalidated: 1 });
    expect(events).toContainEqual(expect.objectContaining({ type: "cache-hit", source: "revalidated" }));
  });

  it("revalidates with If-Modified-Since when only Last-Modified is given", async () => {
    const lastModified = new Date(Date.now() - 3_600_000).toUTCString();
    const server = await api((request) =>
      request.headers["if-modified-since"] === lastModified
        ? { status: 304 }
        : { status: 200, headers: { "last-modified": lastModified, "cache-control": "max-age=0" }, body: "dated" },
    );
    const limitedFetch = cachedFetch(server);
    await (await limitedFetch(`${server.url}/dated`)).text();
    expect(await (await limitedFetch(`${server.url}/dated`)).text()).toBe("dated");
    expect(server.arrivals.map((arrival) => arrival.status)).toEqual([200, 304]);
  });

  it("caches an answer without cache headers for the ttl override (TikTok's 30 minutes)", async () => {
    const server = await api(() => ({ status: 200, headers: { "cache-control": "no-cache" }, body: "tiktok" }));
    const limitedFetch = cachedFetch(server, { ttl: "30m" });
    await (await limitedFetch(`${server.url}/v2/user/info/`)).text();
    expect(await (await limitedFetch(`${server.url}/v2/user/info/`)).text()).toBe("tiktok");
    expect(server.requests).toBe(1);
    const [key] = await redis.keys(`${cachePrefix}:*`);
    const ttl = await redis.pttl(key as string);
    expect(ttl).toBeGreaterThan(29 * 60_000);
    expect(ttl).toBeLessThanOrEqual(30 * 60_000);
  });

  it("does not cache a body over maxBodyBytes, and still delivers it whole", async () => {
    const big = "x".repeat(2000);
    const server = await api(() => ({ status: 200, headers: { "cache-control": "max-age=60" }, body: big }));
    const limitedFetch = cachedFetch(server, { maxBodyBytes: 1000 });
    expect(await (await limitedFetch(`${server.url}/big`)).text()).toBe(big);
    expect(await (await limitedFetch(`${server.url}/big`)).text()).toBe(big);
    expect(server.requests).toBe(2);
  });

  it("never caches POST", async () => {
    const server = await api(maxAge60);
    const limitedFetch = cachedFetch(server);
    for (let i = 0; i < 2; i++) await (await limitedFetch(`${server.url}/post`, { method: "POST", body: "x" })).text();
    expect(server.requests).toBe(2);
  });

  it("respects Vary: another Accept is a miss", async () => {
    const server = await api((request) => ({
      status: 200,
      headers: { "cache-control": "max-age=60", vary: "accept" },
      body: String(request.headers.accept),
    }));
    const limitedFetch = cachedFetch(server);
    const get = async (accept: string) => (await limitedFetch(`${server.url}/v`, { headers: { accept } })).text();
    expect(await get("application/json")).toBe("application/json");
    expect(await get("application/json")).toBe("application/json");
    expect(await get("text/csv")).toBe("text/csv");
    expect(server.requests).toBe(2);
  });

  it("stores answers to Authorization requests only with shared: false, one entry per credential", async () => {
    const server = await api((request) => ({
      status: 200,
      headers: { "cache-control": "max-age=60" },
      body: String(request.headers.authorization),
    }));
    const get = async (limitedFetch: ReturnType<typeof cachedFetch>, token: string) =>
      (await limitedFetch(`${server.url}/me`, { headers: { authorization: `Bearer ${token}` } })).text();
    const sharedFetch = cachedFetch(server);
    await get(sharedFetch, "a");
    await get(sharedFetch, "a");
    expect(server.requests).toBe(2);
    const privateFetch = cachedFetch(server, { shared: false });
    expect(await get(privateFetch, "a")).toBe("Bearer a");
    expect(await get(privateFetch, "a")).toBe("Bearer a");
    expect(await get(privateFetch, "b")).toBe("Bearer b");
    expect(server.requests).toBe(4);
    const keys = await redis.keys(`${cachePrefix}:*`);
    expect(keys).toHaveLength(2);
    for (const key of keys) expect(key).not.toContain("Bearer");
  });

  it("keeps serving when the cache's Redis is down or hangs", async () => {
    const server = await api(maxAge60);
    const down = new Redis("redis://127.0.0.1:1", {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    down.on("error", () => {});
    closers.push(() => down.disconnect());
    const hanging: CacheStore = { get: () => new Promise(() => {}), set: () => new Promise(() => {}) };
    for (const store of [down, hanging]) {
      const events: FetchEvent[] = [];
      const limitedFetch = cachedFetch(
        server,
        { redis: store, timeout: 50 },
        { onEvent: (event) => events.push(event) },
      );
      const responses = await Promise.all([1, 2, 3].map((i) => limitedFetch(`${server.url}/down/${i}`)));
      expect(await Promise.all(responses.map((res) => res.text()))).toEqual([1, 2, 3].map((i) => `body of /down/${i}`));
      expect(events.some((event) => event.type === "cache-error" && event.operation === "read")).toBe(true);
    }
    expect(server.requests).toBe(6);
  });

  it.each([1, 5])("measures the hit rate of 100 GETs over 20 URLs, max-age=60, %i in flight", async (inFlight) => {
    const server = await api(maxAge60);
    const limitedFetch = cachedFetch(server);
    // A fixed shuffle (LCG) so every run sends the same order. Calls in flight for one URL all
    // miss: there is no request coalescing.
    let seed = 42;
    const next = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const paths = Array.from({ length: 100 }, (_, i) => `/items/${i % 20}`).sort(() => next() - 0.5);
    for (let i = 0; i < paths.length; i += inFlight) {
      const batch = paths
        .slice(i, i + inFlight)
        .map(async (path) => (await limitedFetch(`${server.url}${path}`)).text());
      await Promise.all(batch);
    }
    const stats = limitedFetch.stats().cached;
    const hits = stats?.cacheHits ?? 0;
    console.log(
      `response cache, ${inFlight} in flight: ${hits} hits of 100 calls (${server.requests} sent, ${await remaining()} slots left)`,
    );
    expect(hits + server.requests).toBe(100);
    expect(hits).toBeGreaterThanOrEqual(inFlight === 1 ? 80 : 70);
    expect(await remaining()).toBe(100 - server.requests);
  });
});
