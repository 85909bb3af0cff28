import { describe, expect, it } from "vitest";
import { progressSnapshot } from "./progress.js";
import { Tally } from "./tally.js";

const view = { total: 1000, quotaRate: 10, cost: 1 };

describe("progressSnapshot", () => {
  it("counts skipped inputs as progress, and takes the ETA from the quota before any item ended", () => {
    const tally = new Tally();
    for (let i = 0; i < 100; i++) tally.skip("skipped");
    expect(progressSnapshot(tally.counts, 0, view)).toEqual({
      value: 100,
      total: 1000,
      failed: 0,
      rate: undefined,
      etaSeconds: 90,
    });
  });

  it("uses the units items spent, and the observed rate only after the warm-up", () => {
    const tally = new Tally();
    for (let i = 0; i < 10; i++) {
      tally.begin();
      tally.end({ end: i < 8 ? "done" : "failed", pages: 2, requests: 2, retries: 0, units: 2 });
    }
    // 990 left at 2 units each under 10 units/s: 198 s; 10 items in 2 s is faster, but too early to trust.
    expect(progressSnapshot(tally.counts, 2000, view)).toMatchObject({
      value: 10,
      failed: 2,
      rate: 5,
      etaSeconds: 198,
    });
    // After 10 s the observed 1 item/s is slower than the quota's 5: it wins.
    expect(progressSnapshot(tally.counts, 10_000, view)).toMatchObject({ rate: 1, etaSeconds: 990 });
  });

  it("has no ETA without a total", () => {
    expect(progressSnapshot(new Tally().counts, 0, { ...view, total: undefined }).etaSeconds).toBeUndefined();
  });
});
