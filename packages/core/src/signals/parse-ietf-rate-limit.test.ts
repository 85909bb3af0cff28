import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expectSaneWait } from "../../../../test/support/expect-sane-wait.js";
import { ietfWait, parseIetfRateLimit, parseIetfRateLimitPolicy } from "./parse-ietf-rate-limit.js";

describe("parseIetfRateLimit", () => {
  it("reads the draft-10 list form", () => {
    expect(parseIetfRateLimit('"default";r=0;t=30, "daily";r=999;t=3600')).toEqual([
      { policy: "default", remaining: 0, resetAfterMs: 30_000 },
      { policy: "daily", remaining: 999, resetAfterMs: 3_600_000 },
    ]);
    expect(parseIetfRateLimit("burst;r=5")).toEqual([{ policy: "burst", remaining: 5, resetAfterMs: undefined }]);
  });

  it("reads the older dictionary form", () => {
    expect(parseIetfRateLimit("limit=100, remaining=0, reset=7")).toEqual([
      { policy: "default", remaining: 0, resetAfterMs: 7000 },
    ]);
  });

  it("gives [] for malformed fields and ignores negative numbers", () => {
    expect(parseIetfRateLimit('"a";r=')).toEqual([]);
    expect(parseIetfRateLimit("")).toEqual([]);
    expect(parseIetfRateLimit(null)).toEqual([]);
    expect(parseIetfRateLimit('"a";r=-1;t=-4')).toEqual([
      { policy: "a", remaining: undefined, resetAfterMs: undefined },
    ]);
  });

  it("waits for the longest exhausted policy only", () => {
    expect(ietfWait(parseIetfRateLimit('"a";r=0;t=3, "b";r=0;t=9, "c";r=1;t=60'))).toBe(9000);
    expect(ietfWait(parseIetfRateLimit('"c";r=1;t=60'))).toBeUndefined();
  });

  it("never throws and returns only sane waits (fuzz)", () => {
    const number = fc.oneof(fc.integer(), fc.double({ noNaN: false }).map(String), fc.string());
    const member = fc
      .tuple(fc.oneof(fc.string(), fc.constantFrom('"default"', "burst")), number, number)
      .map(([name, r, t]) => `${name};r=${r};t=${t}`);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(member).map((m) => m.join(", ")),
        ),
        (value) => {
          const limits = parseIetfRateLimit(value);
          for (const limit of limits) expectSaneWait(limit.resetAfterMs);
          expectSaneWait(ietfWait(limits));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("parseIetfRateLimitPolicy", () => {
  it("reads quota and window", () => {
    expect(parseIetfRateLimitPolicy('"burst";q=100;w=60, "daily";q=1000;w=86400')).toEqual([
      { policy: "burst", quota: 100, windowMs: 60_000 },
      { policy: "daily", quota: 1000, windowMs: 86_400_000 },
    ]);
    expect(parseIetfRateLimitPolicy("not a list ;;")).toEqual([]);
  });

  it("never throws (fuzz)", () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        for (const policy of parseIetfRateLimitPolicy(value)) expectSaneWait(policy.windowMs);
      }),
      { numRuns: 1000 },
    );
  });
});
