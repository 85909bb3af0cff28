import { describe, expect, it } from "vitest";
import { capWait, MAX_SERVER_WAIT_MS } from "./cap-wait.js";

describe("capWait", () => {
  it("rounds up, clamps to [0, MAX_SERVER_WAIT_MS] and drops NaN", () => {
    expect(capWait(1.2)).toBe(2);
    expect(capWait(-5)).toBe(0);
    expect(capWait(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(capWait(Number.POSITIVE_INFINITY)).toBe(MAX_SERVER_WAIT_MS);
    expect(capWait(1e300)).toBe(MAX_SERVER_WAIT_MS);
    expect(capWait(Number.NaN)).toBeUndefined();
  });
});
