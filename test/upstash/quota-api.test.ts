import {
  concurrency,
  createLimiter,
  fixedWindow,
  isQuotaExceededError,
  QuotaExceededError,
  slidingWindow,
  tokenBucket,
} from "@sluice/upstash";
import { Redis } from "@upstash/redis";
import { afterAll, afterEach, describe, expect, inject, it, vi } from "vitest";
import { startUpstashEndpoint } from "../../tools/upstash-endpoint.js";
import { exactOnRedisClock } from "../support/exact.js";
import { randomPrefix } from "../support/redis-clients.js";

const endpoint = await startUpstashEndpoint({ redisUrl: inject("redisUrl") });
afterAll(() => endpoint.close());

const redis = new Redis({ url: endpoint.url, token: endpoint.token });
const limiter = createLimiter({ redis, prefix: randomPrefix() });
let n = 0;
const name = () => `api-${++n}`;

/**
 * Counts the timers Sluice's own code starts and has neither fired nor cleared: a call that has
 * settled must leave none running (a function instance may be frozen, or billed, meanwhile).
 */
function sluiceTimers(): { started: number; running(): number } {
  const running = new Set<ReturnType<typeof setTimeout>>();
  const counts = { started: 0 };
  const set = globalThis.setTimeout;
  const clear = globalThis.clearTimeout;
  vi.spyOn(globalThis, "setTimeout").mockImplementation(((run: (...args: unknown[]) => void, ms?: number) => {
    const handle = set(() => {
      running.delete(handle);
      run();
    }, ms);
    if (/packages\/(core|upstash)\/src\//.test(new Error().stack ?? "")) {
      running.add(handle);
      counts.started++;
    }
    return handle;
  }) as typeof setTimeout);
  vi.spyOn(globalThis, "clearTimeout").mockImplementation((handle) => {
    running.delete(handle as ReturnType<typeof setTimeout>);
    clear(handle);
  });
  return {
    get started() {
      return counts.started;
    },
    running: () => running.size,
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the Quota API over @upstash/redis", () => {
  it("tryAcquire admits, then denies with the wait until the next slot", async () => {
    // one token per 10 s: the three calls fall within one refill however slow the first is (a
    // cold start on a busy machine)
    const q = limiter.quota(name(), { limits: [tokenBucket({ rate: 1, per: "10s", burst: 2 })], ...exactOnRedisClock });
    expect((await q.tryAcquire()).allowed).toBe(true);
    expect((await q.tryAcquire()).allowed).toBe(true);
    const denied = await q.tryAcquire();
    expect(denied).toMatchObject({ allowed: false, blockedBy: q.rules[0] });
    expect(denied.retryAfterMs).toBeGreaterThan(0);
    expect(denied.retryAfterMs).toBeLessThanOrEqual(10_000);
  });

  it("acquire reserves slots and sleeps until each, FIFO, on Redis's clock", async () => {
    const q = limiter.quota(name(), { limits: [tokenBucket({ rate: 20, per: "1s", burst: 1 })], ...exactOnRedisClock });
    const started = performance.now();
    const grants = await Promise.all(Array.from({ length: 4 }, () => q.acquire({ maxWait: "2s" })));
    const slots = grants.map((grant) => grant.admittedAt);
    expect(Math.max(...slots) - Math.min(...slots)).toBeCloseTo(150, 0);
    expect(performance.now() - started).toBeGreaterThanOrEqual(149);
  });

  it("a wait longer than maxWait is refused at once with retryAfterMs, to answer 429 within a function's budget", async () => {
    const q = limiter.quota(name(), { limits: [slidingWindow({ limit: 1, window: "10s" })] });
    await q.acquire();
    const started = performance.now();
    const error = await q.acquire({ maxWait: "1s" }).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(500);
    expect(isQuotaExceededError(error)).toBe(true);
    expect((error as QuotaExceededError).retryAfterMs).toBeGreaterThan(9000);
  });

  it("state, pause and reset", async () => {
    const q = limiter.quota(name(), { limits: [fixedWindow({ limit: 3, window: "1h" })], ...exactOnRedisClock });
    await q.acquire({ cost: 2 });
    expect((await q.state()).limits[0]?.remaining).toBe(1);
    const until = await q.pause("10s");
    expect(until).toBeGreaterThan(Date.now() + 9000);
    expect((await q.tryAcquire()).blockedBy).toBe("pause");
    await q.reset();
    expect(await q.state()).toMatchObject({ pausedUntil: undefined, limits: [{ remaining: 3 }] });
    expect((await q.tryAcquire()).allowed).toBe(true);
  });

  it("a waiter on a full concurrency limit gets the slot soon after a release, with no pub/sub", async () => {
    const q = limiter.quota(name(), { limits: [concurrency({ limit: 1, lease: "30s" })] });
    const held = await q.acquire();
    const timers = sluiceTimers();
    const started = performance.now();
    const waiter = q.acquire({ maxWait: "5s" });
    setTimeout(() => void q.release(held), 300);
    const grant = await waiter;
    const waited = performance.now() - started;
    // asked again at 50, 150, 350, 750 ms...: the release at 300 ms is seen by 350 ms or so
    expect(waited).toBeGreaterThanOrEqual(300);
    expect(waited).toBeLessThan(1000);
    expect(timers.started).toBeGreaterThan(0);
    expect(timers.running()).toBe(0);
    await q.release(grant);
  });

  it("a waiter asks again at the earliest lease expiry when that comes before its next backoff", async () => {
    const q = limiter.quota(name(), { limits: [concurrency({ limit: 1, lease: "400ms" })] });
    const holder = await q.acquire();
    const started = performance.now();
    const grant = await q.acquire({ maxWait: "3s" });
    const waited = performance.now() - started;
    // not before the lease ran out, on Redis's clock (the holder's reply may be slow to come back)
    expect((grant.admittedAt as number) - (holder.admittedAt as number)).toBeGreaterThanOrEqual(400);
    // backoffs end at 50, 150, 350 and 750 ms; the lease runs out at 400 ms, before 750 (a margin
    // of 300 ms for a late wake-up on a busy machine)
    expect(waited).toBeLessThan(700);
  });

  it("a waiter that gets no slot within maxWait is refused then, and leaves no timer behind", async () => {
    const q = limiter.quota(name(), { limits: [concurrency({ limit: 1, lease: "30s" })] });
    await q.acquire();
    const timers = sluiceTimers();
    const started = performance.now();
    await expect(q.acquire({ maxWait: 400 })).rejects.toBeInstanceOf(QuotaExceededError);
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(395);
    expect(waited).toBeLessThan(900);
    expect(timers.started).toBeGreaterThan(0);
    expect(timers.running()).toBe(0);
  });

  it("an aborted waiter rejects at once with the reason, and leaves no timer behind", async () => {
    const q = limiter.quota(name(), { limits: [concurrency({ limit: 1, lease: "30s" })] });
    await q.acquire();
    const timers = sluiceTimers();
    const controller = new AbortController();
    const waiter = q.acquire({ maxWait: "10s", signal: controller.signal });
    setTimeout(() => controller.abort(new Error("client went away")), 100);
    await expect(waiter).rejects.toThrow("client went away");
    expect(timers.started).toBeGreaterThan(0);
    expect(timers.running()).toBe(0);
  });
});
