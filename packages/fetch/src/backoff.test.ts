import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fullJitterDelay } from "./backoff.js";

describe("fullJitterDelay", () => {
  it("draws in [0, min(cap, base * 2^attempt))", () => {
    expect(fullJitterDelay(0, 300, 30_000, () => 0.5)).toBe(150);
    expect(fullJitterDelay(3, 300, 30_000, () => 0.999)).toBe(2397);
    expect(fullJitterDelay(20, 300, 30_000, () => 0.5)).toBe(15_000);
    expect(fullJitterDelay(2, 300, 30_000, () => 0)).toBe(0);
  });

  it("stays within bounds for any attempt and any draw (fuzz)", () => {
    fc.assert(
      fc.property(fc.nat({ max: 10_000 }), fc.double(), (attempt, draw) => {
        const delay = fullJitterDelay(attempt, 300, 30_000, () => draw);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(30_000);
      }),
    );
  });
});
