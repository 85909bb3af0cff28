import { Redis } from "@upstash/redis";
import { Redis as CloudflareRedis } from "@upstash/redis/cloudflare";
import { Redis as FastlyRedis } from "@upstash/redis/fastly";
import { describe, expect, it } from "vitest";
import { createLimiter } from "./create-limiter.js";
import type { UpstashRedis } from "./upstash-script-client.js";

const redis: UpstashRedis = {
  evalsha: () => Promise.reject(new Error("not reached")),
  eval: () => Promise.reject(new Error("not reached")),
};

describe("createLimiter options", () => {
  it("refuses what is not an @upstash/redis client", () => {
    expect(() => createLimiter({ redis: {} as UpstashRedis })).toThrow(
      "Expected `redis` to be an @upstash/redis Redis instance, got `[object Object]` (object)",
    );
  });

  it("checks each option with one message shape", () => {
    expect(() => createLimiter({ redis, timeout: 0 })).toThrow(/^Expected `timeout` to be a duration from 1 ms/);
    expect(() => createLimiter({ redis, failMode: "maybe" as "open" })).toThrow(/^Expected `failMode`/);
    expect(() => createLimiter({ redis, rememberReplies: 1 as unknown as boolean })).toThrow(
      /^Expected `rememberReplies` to be a boolean/,
    );
    expect(() => createLimiter({ redis, cacheDenials: true as unknown as false })).toThrow(
      'Expected `cacheDenials` to be false or a duration such as "10s", got `true` (boolean)',
    );
    expect(() => createLimiter({ redis, cacheDenials: "2d" })).toThrow(/^Expected `cacheDenials` to be a duration/);
    expect(() => createLimiter({ redis, prefix: "{x}" })).toThrow(/^Expected `prefix`/);
  });

  it("makes a limiter with the defaults, or with the cache off", () => {
    expect(createLimiter({ redis }).prefix).toBe("sluice");
    expect(createLimiter({ redis, cacheDenials: false, prefix: "edge" }).prefix).toBe("edge");
  });

  it("takes a Redis of every @upstash/redis entry, auto-pipelining on or off (no request is made)", () => {
    const config = { url: "http://127.0.0.1:1", token: "t" };
    for (const client of [
      new Redis(config),
      new Redis({ ...config, enableAutoPipelining: false }),
      new CloudflareRedis(config),
      new FastlyRedis({ ...config, backend: "upstash" }),
    ]) {
      expect(createLimiter({ redis: client }).prefix).toBe("sluice");
    }
  });
});
