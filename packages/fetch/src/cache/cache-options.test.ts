import { createMemoryLimiter } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { createFetch } from "../create-fetch.js";
import type { CacheStore } from "./response-cache.js";

const routes = [{ match: "https://api.test/", quota: "q", limits: [] }];
const redis: CacheStore = { get: async () => null, set: async () => "OK" };

describe("cache options", () => {
  it("rejects a bad cache option with the option's name", () => {
    const limiter = createMemoryLimiter();
    const make = (cache: unknown) => () => createFetch({ limiter, routes, cache: cache as never });
    expect(make({})).toThrow(/`cache.redis`/);
    expect(make({ redis, prefix: "" })).toThrow(/`cache.prefix`/);
    expect(make({ redis, maxBodyBytes: -1 })).toThrow(/`cache.maxBodyBytes`/);
    expect(make({ redis, ttl: "soon" })).toThrow(/`cache.ttl`/);
    expect(make({ redis, shared: "yes" })).toThrow(/`cache.shared`/);
  });
});
