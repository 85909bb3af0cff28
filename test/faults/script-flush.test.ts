import { concurrency, createLimiter, fixedWindow, slidingWindow, tokenBucket } from "@sluice/node";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomPrefix } from "../support/redis-clients.js";
import { OwnRedis } from "./support/redis-process.js";

// SCRIPT FLUSH on a server of this file's own (it would disturb other files on the shared one).
let server: OwnRedis;
let redis: Redis;
let admin: Redis;

beforeAll(async () => {
  server = await OwnRedis.start();
  redis = new Redis(server.url);
  admin = new Redis(server.url);
});

afterAll(async () => {
  redis.disconnect();
  admin.disconnect();
  await server.stop();
});

const evalCalls = async (): Promise<number> => {
  const stats = await admin.info("commandstats");
  return Number(/cmdstat_eval:calls=(\d+)/.exec(stats)?.[1] ?? 0);
};

describe("SCRIPT FLUSH during load", () => {
  it("no error reaches callers: EVALSHA falls back to EVAL each time", async () => {
    const limiter = createLimiter({ redis, prefix: randomPrefix() });
    const quotas = [
      limiter.quota("tb", { limits: [tokenBucket({ rate: 100_000, burst: 1000 })] }),
      limiter.quota("sw", { limits: [slidingWindow({ limit: 100_000, window: "1s" })] }),
      limiter.quota("fw", { limits: [fixedWindow({ limit: 100_000, window: "1s" })] }),
      limiter.quota("mixed", {
        limits: [concurrency({ limit: 2, lease: "5s" }), slidingWindow({ limit: 100_000, window: "1s" })],
      }),
    ];
    const errors: unknown[] = [];
    let decisions = 0;
    let flushes = 0;
    let running = true;
    const evalBefore = await evalCalls();
    const worker = async (i: number): Promise<void> => {
      const quota = quotas[i % quotas.length] as (typeof quotas)[number];
      while (running) {
        try {
          // Concurrency waits (pub/sub), pauses, state and release all run scripts too.
          await quota.schedule(async () => {}, { maxWait: 5000 });
          if (decisions % 50 === 0) await quota.state();
          decisions++;
        } catch (error) {
          errors.push(error);
        }
      }
    };
    const flusher = async (): Promise<void> => {
      while (running) {
        await admin.script("FLUSH");
        flushes++;
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
    };
    const started = performance.now();
    const work = Promise.all([flusher(), ...Array.from({ length: 8 }, (_, i) => worker(i))]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    running = false;
    await work;
    const fallbacks = (await evalCalls()) - evalBefore;
    console.info(
      "[fault] SCRIPT FLUSH:",
      JSON.stringify({
        decisions,
        flushes,
        fallbacks,
        errors: errors.length,
        ms: Math.round(performance.now() - started),
      }),
    );
    expect(errors).toEqual([]);
    expect(flushes).toBeGreaterThan(50);
    expect(decisions).toBeGreaterThan(500);
    // The flushes really hit: many calls went through the EVAL fallback.
    expect(fallbacks).toBeGreaterThan(50);
  });
});
