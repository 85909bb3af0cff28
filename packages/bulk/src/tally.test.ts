import { describe, expect, it } from "vitest";
import { Tally } from "./tally.js";

describe("Tally", () => {
  it("counts skips, items in flight, and each ended item's outcome and spending", () => {
    const tally = new Tally();
    expect(tally.firstStart).toBeUndefined();
    tally.skip("skipped");
    tally.skip("duplicates");
    tally.skip("skipped");
    tally.begin();
    tally.begin();
    tally.begin();
    expect(tally.firstStart).toBeTypeOf("number");
    expect(tally.counts.active).toBe(3);
    tally.end({ end: "done", pages: 3, requests: 3, retries: 1, units: 6 });
    tally.end({ end: "failed", pages: 0, requests: 4, retries: 3, units: 4 });
    tally.end(undefined);
    expect(tally.counts).toEqual({
      done: 1,
      failed: 1,
      stopped: 0,
      skipped: 2,
      skippedFailed: 0,
      duplicates: 1,
      pages: 3,
      requests: 7,
      retries: 4,
      settledUnits: 10,
      active: 0,
    });
  });

  it("hands out copies, never its live counts", () => {
    const tally = new Tally();
    const before = tally.counts;
    tally.skip("skippedFailed");
    expect(before.skippedFailed).toBe(0);
    expect(tally.counts.skippedFailed).toBe(1);
  });
});
