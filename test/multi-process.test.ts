import { describe, expect, inject, it } from "vitest";
import { analyseShare } from "../tools/share-analysis.js";
import { runWorkers } from "../tools/spawn-workers.js";
import { randomPrefix } from "./support/redis-clients.js";

describe("8 processes share one sliding window", () => {
  it("never exceed the limit in any window and use at least 95% of it, even with clocks minutes apart", async () => {
    const run = { limit: 40, windowMs: 1000, durationMs: 4000 };
    const times = await runWorkers({
      ...run,
      redisUrl: inject("redisUrl"),
      prefix: randomPrefix(),
      quota: "shared",
      workers: 8,
      // half the workers believe it is 5 minutes earlier or later
      clockSkewsMs: [0, 300_000, 0, -300_000, 0, 300_000, 0, -300_000],
    });
    expect(times.every((own) => own.length > 0)).toBe(true);
    const summary = analyseShare(times.flat(), run.limit, run.windowMs, run.durationMs);
    console.info("multi-process share:", summary);
    expect(summary.worstWindow).toBeLessThanOrEqual(run.limit);
    expect(summary.utilisation).toBeGreaterThanOrEqual(0.95);
  }, 60_000);
});
