import type { Limiter } from "@sluice/core";
import { createMemoryLimiter, slidingWindow } from "@sluice/core";
import { createLimiter } from "@sluice/node";
import type { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { connectRedis, randomPrefix } from "./support/redis-clients.js";

const redis: Redis = connectRedis();
const redisLimiter = createLimiter({ redis, prefix: randomPrefix() });
afterAll(async () => {
  redisLimiter.close();
  await redis.quit();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tooMany = { status: 429, headers: { "retry-after": "1" } };

describe.each([
  ["memory", () => createMemoryLimiter({ prefix: randomPrefix() })],
  ["redis", () => redisLimiter],
] as Array<[string, () => Limiter]>)("Quota.feedback on %s", (_, limiterOf) => {
  const limiter = limiterOf();
  let n = 0;
  const limits = [slidingWindow({ limit: 10, window: "1s" })];
  // Two Quota objects of one name play two processes.
  const twoProcesses = () => {
    const name = `feedback-${++n}`;
    return [limiter.quota(name, { limits }), limiter.quota(name, { limits })] as const;
  };

  it("a 429 answered later after its slot than the margin widens it, for every process, once per burst", async () => {
    const [a, b] = twoProcesses();
    expect((await a.state()).arrival).toEqual({ marginMs: 25, share: 1 });
    const early = await b.acquire();
    const grant = await a.acquire();
    await sleep(60);
    const verdict = await a.feedback(grant, tooMany);
    expect(verdict).toMatchObject({
      retry: true,
      cause: "delay-spread",
      pausedMs: 0,
      serverWaitMs: 1000,
    });
    expect(verdict.arrival?.marginMs).toBeGreaterThanOrEqual(60 * 1.25);
    // the other process applies it at once, and its report of the same burst changes nothing
    expect((await b.state()).arrival).toEqual(verdict.arrival);
    await sleep(1);
    const again = await b.feedback(early, tooMany);
    expect(again).toMatchObject({ cause: "same-burst", arrival: verdict.arrival });
    expect((await a.state()).pausedUntil).toBeUndefined();
  });

  it("a 429 that lateness cannot explain lowers the share of every limit, for every process", async () => {
    const [a, b] = twoProcesses();
    const grant = await a.acquire();
    const verdict = await a.feedback(grant, tooMany);
    expect(verdict).toMatchObject({ retry: true, cause: "outside-spend", pausedMs: 0 });
    expect(verdict.arrival).toEqual({ marginMs: 25, share: 0.8 });
    // 8 of 10 per window now, in every process: the first grant and 7 more
    const more = await Promise.all(Array.from({ length: 8 }, () => b.tryAcquire()));
    expect(more.filter((d) => d.allowed)).toHaveLength(7);
  });

  it("a 503, or a 429 asking for more than the longest window, pauses every process", async () => {
    const [a, b] = twoProcesses();
    const grant = await a.acquire();
    const unavailable = await a.feedback(grant, { status: 503, headers: { "retry-after": "2" } });
    expect(unavailable).toMatchObject({ retry: true, cause: "server-wait", pausedMs: 2000 });
    const state = await b.state();
    expect(state.pausedUntil).toBeGreaterThan(state.redisTime + 1900);
    const [c] = twoProcesses();
    const long = await c.feedback(await c.acquire(), { status: 429, headers: { "retry-after": "5" } });
    expect(long).toMatchObject({ cause: "server-wait", pausedMs: 5000 });
  });

  it("a quota with a fixed margin learns nothing and pauses on a 429", async () => {
    const q = limiter.quota(`fixed-${++n}`, { limits, arrivalMargin: "40ms", pacing: false });
    const verdict = await q.feedback(await q.acquire(), tooMany);
    expect(verdict).toMatchObject({ cause: "server-wait", pausedMs: 1000, arrival: { marginMs: 40, share: 1 } });
  });

  it("a 200 whose Remaining is below the quota's count spends the difference; one Sluice's count explains changes nothing", async () => {
    const [a] = twoProcesses();
    const grant = await a.acquire();
    const explained = await a.feedback(grant, {
      status: 200,
      headers: { "x-ratelimit-limit": "10", "x-ratelimit-remaining": "9", "x-ratelimit-reset": "1" },
    });
    expect(explained).toMatchObject({ retry: false, cause: "ok", pausedMs: 0 });
    // nothing left by the server's count (a rival spent 8): spent down, not paused
    const spent = await a.feedback(grant, {
      status: 200,
      headers: { "x-ratelimit-limit": "10", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1" },
    });
    expect(spent).toMatchObject({ retry: false, cause: "outside-spend", pausedMs: 0 });
    const state = await a.state();
    expect(state.limits[0]?.remaining).toBe(0);
    expect(state.pausedUntil).toBeUndefined();
  });

  it("refuses what is not a grant or an answer, naming it", async () => {
    const [a] = twoProcesses();
    const denied = { ...(await a.tryAcquire()), allowed: false };
    await expect(a.feedback(denied, { status: 200 })).rejects.toThrow(/`grant`/);
    const grant = await a.acquire();
    await expect(a.feedback(grant, { status: 42 })).rejects.toThrow(/`status`.*`42`/);
    await expect(a.feedback(grant, { status: 200 }, { onExhausted: "never" as never })).rejects.toThrow(
      /`onExhausted`.*"never"/,
    );
  });
});
