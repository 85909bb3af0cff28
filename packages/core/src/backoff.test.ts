import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelay, resolveBackoff } from "./backoff.js";

const defaults = { limit: 3, baseDelay: 300, maxDelay: 30_000 };
const backoff = { limit: 3, baseDelayMs: 300, maxDelayMs: 30_000 };

describe("backoffDelay", () => {
  it("draws in [0, min(maxDelay, baseDelay * 2^retry))", () => {
    expect(backoffDelay(backoff, 0, () => 0.5)).toBe(150);
    expect(backoffDelay(backoff, 3, () => 0.999)).toBe(2397);
    expect(backoffDelay(backoff, 20, () => 0.5)).toBe(15_000);
    expect(backoffDelay(backoff, 2, () => 0)).toBe(0);
  });

  it("stays within bounds for any retry and any draw (fuzz)", () => {
    fc.assert(
      fc.property(fc.nat({ max: 10_000 }), fc.double(), (retry, draw) => {
        const delay = backoffDelay(backoff, retry, () => draw);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(30_000);
      }),
    );
  });
});

describe("resolveBackoff", () => {
  it("fills in the defaults, reads durations as ms or strings, and takes false as no retry", () => {
    expect(resolveBackoff("retry", undefined, defaults)).toEqual(backoff);
    expect(resolveBackoff("retry", { baseDelay: "1s", maxDelay: "2m" }, defaults)).toEqual({
      limit: 3,
      baseDelayMs: 1000,
      maxDelayMs: 120_000,
    });
    expect(resolveBackoff("retry", false, defaults)).toEqual({ ...backoff, limit: 0 });
  });

  it("names the option and the field in one TypeError shape", () => {
    expect(() => resolveBackoff("retry", 3 as never, defaults)).toThrow(
      "Expected `retry` to be an options object or false, got `3` (number)",
    );
    expect(() => resolveBackoff("retry", { limit: 101 }, defaults)).toThrow(
      "Expected `retry.limit` to be an integer from 0 to 100, got `101` (number)",
    );
    expect(() => resolveBackoff("retry", { baseDelay: 0 }, defaults)).toThrow(
      "Expected `retry.baseDelay` to be a duration",
    );
    expect(() => resolveBackoff("retry", { maxDelay: "soon" as never }, defaults)).toThrow(
      "Expected `retry.maxDelay` to be a duration",
    );
  });
});
