import { describe, expect, it } from "vitest";
import { countersOf, limitUsage } from "./limit-usage.js";

const now = 1_000_000_000_000;

describe("limitUsage", () => {
  const tb = { kind: "tokenBucket", intervalUs: 100_000, burst: 10 } as const;

  it("token bucket: tokens from the TAT, units beyond the burst as waiting", () => {
    expect(limitUsage(tb, { kind: "tat", tatUs: now - 5_000_000 }, now)).toEqual({
      limit: 10,
      used: 0,
      available: 10,
      waiting: 0,
    });
    expect(limitUsage(tb, { kind: "tat", tatUs: now + 350_000 }, now)).toMatchObject({ used: 4, available: 6 });
    expect(limitUsage(tb, { kind: "tat", tatUs: now + 1_250_000 }, now)).toMatchObject({
      used: 10,
      available: 0,
      waiting: 3,
    });
  });

  it("sliding log: in the window now, and after now", () => {
    const sw = { kind: "slidingWindow", precision: "exact", limit: 5, windowUs: 1_000_000 } as const;
    expect(limitUsage(sw, { kind: "log", inWindow: 3, ahead: 1 }, now)).toEqual({
      limit: 5,
      used: 3,
      available: 1,
      waiting: 1,
    });
  });

  it("bucketed window: live buckets up to now, and buckets that start later", () => {
    const swb = { kind: "slidingWindow", precision: "bucketed", limit: 100, windowUs: 10_000, bucketUs: 1000 } as const;
    const k = now / 1000;
    const counters = new Map([
      [k - 11, 50], // left the window
      [k - 9, 10],
      [k, 5],
      [k + 2, 7],
    ]);
    expect(limitUsage(swb, { kind: "counters", counters }, now)).toEqual({
      limit: 100,
      used: 15,
      available: 78,
      waiting: 7,
    });
  });

  it("fixed window: the current window's count, later windows as waiting", () => {
    const fw = { kind: "fixedWindow", limit: 10, windowUs: 60_000_000, alignUs: 30_000_000 } as const;
    const current = Math.floor((now - 30_000_000) / 60_000_000);
    const counters = countersOf({ [current - 1]: "9", [current]: "4", [current + 1]: "10", last: String(now) });
    expect(limitUsage(fw, { kind: "counters", counters }, now)).toEqual({
      limit: 10,
      used: 4,
      available: 6,
      waiting: 10,
    });
  });

  it("concurrency: leases expiring after now are held; nothing waits in Redis", () => {
    expect(limitUsage({ kind: "concurrency", limit: 3 }, { kind: "log", inWindow: 0, ahead: 3 }, now)).toEqual({
      limit: 3,
      used: 3,
      available: 0,
      waiting: null,
    });
  });

  it("countersOf skips `last` and anything malformed", () => {
    expect([...countersOf({ "12": "3", last: "99", x: "1", "13": "0", "14": "nan" })]).toEqual([[12, 3]]);
  });
});
