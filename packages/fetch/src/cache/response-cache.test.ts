import { describe, expect, it } from "vitest";
import { type CacheStore, type ResolvedCacheOptions, ResponseCache, withLifetime } from "./response-cache.js";

function memoryStore(): CacheStore & { readonly data: Map<string, { value: string; px: number }> } {
  const data = new Map<string, { value: string; px: number }>();
  return {
    data,
    get: async (key) => data.get(key)?.value ?? null,
    set: async (key, value, _mode, px) => {
      data.set(key, { value, px });
      return "OK";
    },
  };
}

function cache(options: Partial<ResolvedCacheOptions> = {}) {
  const store = memoryStore();
  const errors: string[] = [];
  const resolved: ResolvedCacheOptions = {
    redis: store,
    prefix: "c",
    ttlMs: undefined,
    maxBodyBytes: 1024,
    shared: true,
    staleWindowMs: 3_600_000,
    timeoutMs: 100,
    ...options,
  };
  return { store, errors, cache: new ResponseCache(resolved, (operation) => errors.push(operation)) };
}

const URL_ = "https://api.test/items/1";

async function storeOnce(c: ResponseCache, headers: Record<string, string>, body = "payload") {
  const request = new Request(URL_);
  const lookup = await c.lookup(request);
  expect(lookup.kind).toBe("miss");
  return c.store(lookup.kind === "miss" ? lookup.key : "", request, new Response(body, { headers }));
}

describe("ResponseCache", () => {
  it("stores a max-age answer for its lifetime and serves it fresh", async () => {
    const { cache: c, store } = cache();
    expect(await storeOnce(c, { "cache-control": "max-age=60" })).toBe(true);
    expect([...store.data.values()][0]?.px).toBeLessThanOrEqual(60_000);
    const lookup = await c.lookup(new Request(URL_));
    expect(lookup.kind).toBe("fresh");
    if (lookup.kind === "fresh") expect(await lookup.response.text()).toBe("payload");
  });

  it("keeps an entry with a validator for the stale window, and asks for a conditional request", async () => {
    const { cache: c, store } = cache();
    expect(await storeOnce(c, { etag: '"a"', "cache-control": "no-cache" })).toBe(true);
    expect([...store.data.values()][0]?.px).toBe(3_600_000);
    const lookup = await c.lookup(new Request(URL_));
    expect(lookup.kind).toBe("stale");
    if (lookup.kind === "stale") expect(lookup.conditionals.get("if-none-match")).toBe('"a"');
  });

  it("does not store no-store, private, Set-Cookie, or a body over the limit", async () => {
    const { cache: c, store } = cache({ maxBodyBytes: 4 });
    expect(await storeOnce(c, { "cache-control": "no-store, max-age=60" }, "ok")).toBe(false);
    expect(await storeOnce(c, { "cache-control": "private, max-age=60" }, "ok")).toBe(false);
    expect(await storeOnce(c, { "cache-control": "max-age=60", "set-cookie": "s=1" }, "ok")).toBe(false);
    expect(await storeOnce(c, { "cache-control": "max-age=60" }, "12345")).toBe(false);
    expect(store.data.size).toBe(0);
  });

  it("applies the ttl override to answers without cache headers, but never to no-store", async () => {
    const { cache: c, store } = cache({ ttlMs: 1_800_000 });
    expect(await storeOnce(c, { "cache-control": "no-store" })).toBe(false);
    expect(await storeOnce(c, {})).toBe(true);
    expect([...store.data.values()][0]?.px).toBeGreaterThan(1_799_000);
    expect((await c.lookup(new Request(URL_))).kind).toBe("fresh");
  });

  it("leaves requests with the caller's own conditionals and non-GETs to the caller", () => {
    const { cache: c } = cache();
    expect(c.accepts(new Request(URL_))).toBe(true);
    expect(c.accepts(new Request(URL_, { headers: { "if-none-match": '"x"' } }))).toBe(false);
    expect(c.accepts(new Request(URL_, { headers: { range: "bytes=0-1" } }))).toBe(false);
    expect(c.accepts(new Request(URL_, { method: "POST", body: "x" }))).toBe(false);
  });

  it("treats a failing or corrupt store as a miss and reports the failure", async () => {
    const { cache: c, store, errors } = cache();
    store.get = async () => {
      throw new Error("down");
    };
    expect((await c.lookup(new Request(URL_))).kind).toBe("miss");
    expect(errors).toEqual(["read"]);
    store.get = async () => "not json";
    expect((await c.lookup(new Request(URL_))).kind).toBe("miss");
  });
});

describe("withLifetime", () => {
  it("replaces the freshness directives and Expires, keeping the rest", () => {
    expect(
      withLifetime({ "cache-control": "no-cache, max-age=0, immutable", expires: "0", etag: '"a"' }, 1800),
    ).toEqual({ "cache-control": "max-age=1800, s-maxage=1800, immutable", etag: '"a"' });
  });
});
