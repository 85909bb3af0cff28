import { createLimiter, slidingWindow, tokenBucket } from "@sluice/node";
import type { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { connectRedis, randomPrefix } from "./support/redis-clients.js";

const connections: Redis[] = [];
afterAll(() => Promise.all(connections.map((c) => c.quit())));

/** A client of its own (connection, limiter, batcher), as a separate process would have. */
function client(prefix: string) {
  const redis = connectRedis();
  connections.push(redis);
  return createLimiter({ redis, prefix });
}

describe("priority under contention", () => {
  it.each([
    ["token bucket 20/s", tokenBucket({ rate: 20, per: "1s", burst: 10 }), 50],
    ["sliding window 20/s", slidingWindow({ limit: 20, window: "1s" }), 50],
  ] as const)(
    "%s: high-priority requests get through within about one slot while low ones saturate",
    async (_, rule, slotMs) => {
      const prefix = randomPrefix();
      const limits = [rule];
      let stop = false;
      let lowAdmitted = 0;
      // four low-priority clients keep the quota saturated, with reservations up to 1 s ahead
      const low = Array.from({ length: 4 }, async () => {
        const quota = client(prefix).quota("api", { limits, headroom: 0.1 });
        while (!stop) {
          await quota.acquire({ priority: "low", maxWait: "1s" }).then(
            () => lowAdmitted++,
            () => {},
          );
        }
      });
      const high = client(prefix).quota("api", { limits, headroom: 0.1 });
      await new Promise((resolve) => setTimeout(resolve, 500));
      const waits: number[] = [];
      for (let i = 0; i < 8; i++) {
        const started = performance.now();
        await high.acquire({ priority: "high", maxWait: "2s" });
        waits.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      stop = true;
      await Promise.all(low);
      console.info(`${rule.label}: high waits (ms)`, waits.map(Math.round), "low admitted", lowAdmitted);
      // one slot plus a round trip of margin, never a queue of low-priority reservations
      expect(Math.max(...waits)).toBeLessThan(slotMs + 60);
      expect(lowAdmitted).toBeGreaterThan(20);
    },
  );
});
