import {
  concurrency,
  createLimiter,
  type FailMode,
  type StoreFailureEvent,
  StoreUnavailableError,
  slidingWindow,
} from "@sluice/node";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { randomPrefix } from "../support/redis-clients.js";
import { OwnRedis } from "./support/redis-process.js";
import { within } from "./support/within.js";

// A redis-server of this file's own is stopped (connection refused) and started again on the
// same port; a default ioredis client (offline queue, reconnects) is what users pass in.
const TIMEOUT_MS = 200;
// Timers and the event loop on a loaded 2-core machine; a waiter that never settles fails by far.
const SLACK_MS = 250;

let server: OwnRedis;
let redis: Redis;

beforeAll(async () => {
  server = await OwnRedis.start();
  redis = new Redis(server.url);
  redis.on("error", () => {});
});

afterEach(async () => {
  if (!server.running) await server.up();
});

afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

const ready = (): Promise<void> =>
  redis.status === "ready" ? Promise.resolve() : new Promise((resolve) => redis.once("ready", () => resolve()));

/** How long `promise` took to settle, and how. */
async function timed<T>(promise: Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const started = performance.now();
  try {
    const value = await within(promise, 10_000, "a call while Redis is down");
    return { ms: performance.now() - started, value };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

describe.each<FailMode>(["closed", "open", "local"])("failMode %s while Redis is unreachable", (failMode) => {
  it("every call settles within the timeout, as documented; Redis decides again once it is back", async () => {
    const events: StoreFailureEvent[] = [];
    const limiter = createLimiter({
      redis,
      prefix: randomPrefix(),
      failMode,
      timeout: TIMEOUT_MS,
      localShare: 0.5,
      onEvent: (event) => events.push(event),
    });
    const rate = limiter.quota("rate", { limits: [slidingWindow({ limit: 10, window: "10s" })] });
    const slots = limiter.quota("slots", { limits: [concurrency({ limit: 1, lease: "10s" })] });
    await ready();
    const held = await slots.acquire();

    await server.down("SIGKILL");
    const calls = {
      acquire: timed(rate.acquire({ maxWait: 0 })),
      tryAcquires: timed(Promise.all(Array.from({ length: 8 }, () => rate.tryAcquire()))),
      waitOnFullSemaphore: timed(slots.acquire({ maxWait: 5000 })),
      release: timed(slots.release(held)),
      pause: timed(rate.pause("1s")),
      state: timed(rate.state()),
      reset: timed(rate.reset()),
    };
    const settled = Object.fromEntries(
      await Promise.all(Object.entries(calls).map(async ([name, call]) => [name, await call] as const)),
    );
    console.info(
      `[fault] unreachable, ${failMode}:`,
      JSON.stringify(Object.fromEntries(Object.entries(settled).map(([name, r]) => [name, Math.round(r.ms)]))),
    );
    for (const [name, result] of Object.entries(settled)) {
      // A concurrency wait makes up to two store calls (acquire, then listen) before failing.
      const bound = name === "waitOnFullSemaphore" ? 2 * TIMEOUT_MS + SLACK_MS : TIMEOUT_MS + SLACK_MS;
      expect(result.ms, name).toBeLessThan(bound);
      expect(result.ms, name).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    }
    // One event per failed store call (coalesced acquires share one call).
    expect(events.length).toBeGreaterThanOrEqual(5);
    expect(events.every((e) => e.failMode === failMode && e.type === "store-failure")).toBe(true);

    if (failMode === "closed") {
      for (const [name, result] of Object.entries(settled)) {
        expect(result.error, name).toBeInstanceOf(StoreUnavailableError);
      }
    } else {
      for (const [name, result] of Object.entries(settled)) expect(result.error, name).toBeUndefined();
      const admitted = ((settled.tryAcquires?.value ?? []) as Array<{ allowed: boolean }>).filter(
        (d) => d.allowed,
      ).length;
      // open admits everything; local admits the local share (0.5 of 10) minus the one acquire above.
      expect(admitted).toBe(failMode === "open" ? 8 : 4);
      expect(settled.waitOnFullSemaphore?.value).toMatchObject({ allowed: true });
    }

    await server.up();
    const upAt = performance.now();
    await ready();
    const reconnectMs = performance.now() - upAt;
    const fresh = limiter.quota("fresh", { limits: [slidingWindow({ limit: 10, window: "10s" })] });
    const decision = await fresh.tryAcquire();
    console.info(`[fault] unreachable, ${failMode}: ready ${Math.round(reconnectMs)} ms after the restart`);
    // Redis decides again: remaining counts the whole limit, not a local or open answer.
    expect(decision).toMatchObject({ allowed: true, limits: [{ remaining: 9 }] });
    expect(reconnectMs).toBeLessThan(3000);
  });
});
