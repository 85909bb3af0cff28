import { describe, expect, it } from "vitest";
import { etaSeconds, formatSeconds } from "./eta.js";

describe("etaSeconds", () => {
  it("divides the remaining units by the quota's rate", () => {
    // 1100 items of 3 pages each at 11 pages per second
    expect(etaSeconds({ remaining: 1100, quotaRate: 11, unitsPerItem: 3, observedRate: undefined })).toBe(300);
  });

  it("uses the observed rate when it is below what the quota allows (a shared quota)", () => {
    expect(etaSeconds({ remaining: 100, quotaRate: 10, unitsPerItem: 1, observedRate: 2 })).toBe(50);
    expect(etaSeconds({ remaining: 100, quotaRate: undefined, unitsPerItem: 1, observedRate: 4 })).toBe(25);
  });

  it("is unknown without a total or any rate", () => {
    expect(etaSeconds({ remaining: undefined, quotaRate: 10, unitsPerItem: 1, observedRate: 1 })).toBeUndefined();
    expect(
      etaSeconds({ remaining: 5, quotaRate: undefined, unitsPerItem: 1, observedRate: undefined }),
    ).toBeUndefined();
  });

  it("formats", () => {
    expect([formatSeconds(12.2), formatSeconds(185), formatSeconds(3720), formatSeconds(undefined)]).toEqual([
      "13s",
      "3m 05s",
      "1h 02m",
      "?",
    ]);
  });
});
