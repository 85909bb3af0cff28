import { concurrency, QuotaExceededError, slidingWindow } from "@sluice/core";
import { createLimiter, type LimiterOptions } from "@sluice/node";
import { afterAll, describe, expect, it } from "vitest";
import { exactOnRedisClock } from "./exact.js";
import { randomPrefix } from "./redis-clients.js";

/**
 * The limiter's real-time paths on one Redis client, beyond what the store suite reaches:
 * exact admission on a window, a concurrency waiter woken over pub/sub, and scripts run again
 * after SCRIPT FLUSH. `flushScripts` empties the script cache of every server the client uses.
 */
export function describeLimiterSlice(
  name: string,
  redis: LimiterOptions["redis"],
  flushScripts: () => Promise<unknown>,
): void {
  describe(`a limiter on ${name}`, () => {
    const limiter = createLimiter({ redis, prefix: randomPrefix() });
    afterAll(() => limiter.close());
    let n = 0;
    const quotaName = () => `slice-${++n}`;

    it("admits exactly the window's limit, to concurrent callers too, and says when the next slot comes", async () => {
      const q = limiter.quota(quotaName(), {
        limits: [slidingWindow({ limit: 5, window: "2s" })],
        ...exactOnRedisClock,
      });
      const attempts = await Promise.all(Array.from({ length: 8 }, () => q.tryAcquire()));
      expect(attempts.filter((a) => a.allowed)).toHaveLength(5);
      const denied = attempts.find((a) => !a.allowed);
      expect(denied?.retryAfterMs).toBeGreaterThan(1500);
      expect(denied?.retryAfterMs).toBeLessThanOrEqual(2000);
      const error = await q.acquire({ maxWait: "1s" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QuotaExceededError);
      expect((await q.state()).limits[0]?.remaining).toBe(0);
    });

    it("wakes a waiter for a concurrency slot when the holder releases (pub/sub), not at the lease's end", async () => {
      const q = limiter.quota(quotaName(), { limits: [concurrency({ limit: 1, lease: "10s" })] });
      const holder = await q.acquire();
      const waiting = q.acquire({ maxWait: "5s" });
      setTimeout(() => void q.release(holder), 100);
      const started = performance.now();
      const grant = await waiting;
      expect(performance.now() - started).toBeLessThan(2000);
      await q.release(grant);
    });

    it("runs its scripts again after SCRIPT FLUSH (EVALSHA, NOSCRIPT, then EVAL)", async () => {
      const q = limiter.quota(quotaName(), { limits: [slidingWindow({ limit: 3, window: "2s" })] });
      expect((await q.tryAcquire()).allowed).toBe(true);
      await flushScripts();
      expect((await q.tryAcquire()).allowed).toBe(true);
      expect((await q.tryAcquire()).allowed).toBe(true);
      expect((await q.tryAcquire()).allowed).toBe(false);
    });
  });
}
