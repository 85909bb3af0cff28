import { concurrency, fixedWindow, slidingWindow, tokenBucket } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { quotaRate } from "./quota-rate.js";

describe("quotaRate", () => {
  it("is the lowest rate of the rate limits, per second", () => {
    expect(quotaRate([tokenBucket({ rate: 11 }), slidingWindow({ limit: 1_000_000, window: "1d" })])).toBe(11);
    expect(quotaRate([fixedWindow({ limit: 1000, window: "1h" }), slidingWindow({ limit: 10, window: "1m" })])).toBe(
      10 / 60,
    );
  });

  it("is undefined when only concurrency limits", () => {
    expect(quotaRate([concurrency({ limit: 5 })])).toBeUndefined();
  });
});
