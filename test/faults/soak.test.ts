import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OwnRedis } from "./support/redis-process.js";
import { countKeys, soak } from "./support/soak-run.js";

// The CI variant of test/faults/soak.ts (1,000,000 decisions, run by hand): 50,000 here.
const DECISIONS = 50_000;
// Heap after warm-up may move by this much (ioredis buffers, V8 pages); a per-decision leak of
// even 200 bytes would add 10 MB over this run.
const HEAP_DRIFT_MB = 8;

let server: OwnRedis;
let redis: Redis;
beforeAll(async () => {
  server = await OwnRedis.start();
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

describe("soak: 50,000 decisions in one process", () => {
  it("heap and key count stay bounded; every key expires once the TTLs pass", async () => {
    const result = await soak(redis, "soak", DECISIONS, 256, 10);
    const warm = result.samples.slice(2);
    const heaps = warm.map((s) => s.heapMb);
    const maxKeys = Math.max(...result.samples.map((s) => s.keys));
    const maxCallKeys = Math.max(...result.samples.map((s) => s.callKeys));
    console.info(
      "[fault] soak:",
      JSON.stringify({
        decisions: result.decisions,
        perSecond: Math.round((result.decisions / result.ms) * 1000),
        heapMb: heaps.map((h) => Number(h.toFixed(1))),
        maxKeys,
        keyBound: result.keyBound,
        maxCallKeys,
        callsPerSecond: Math.round(result.callsPerSecond),
      }),
    );
    expect(result.decisions).toBe(DECISIONS);
    expect(Math.max(...heaps) - Math.min(...heaps)).toBeLessThan(HEAP_DRIFT_MB);
    expect((warm.at(-1)?.heapMb ?? 0) - (warm[0]?.heapMb ?? 0)).toBeLessThan(HEAP_DRIFT_MB);
    expect(maxKeys).toBeLessThanOrEqual(result.keyBound);
    // Each script call's reply is remembered for 2 s: at most ~2 s worth of calls (+ slack for
    // a faster stretch than the run's average).
    expect(maxCallKeys).toBeLessThanOrEqual(Math.ceil(result.callsPerSecond * 2 * 1.5) + 10);
    // Redis expires keys lazily and by sampling (10 times a second): allow it 2 s past the TTL.
    const deadline = Date.now() + result.ttlMs + 2000;
    let left = await countKeys(redis, "soak");
    while (left > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      left = await countKeys(redis, "soak");
    }
    expect(left).toBe(0);
  }, 60_000);
});
