import { describe, expect, it } from "vitest";
import { arrivalPart } from "./arrival.js";
import { concurrency } from "./rules/concurrency.js";
import { fixedWindow } from "./rules/fixed-window.js";
import { slidingWindow } from "./rules/sliding-window.js";
import { tokenBucket } from "./rules/token-bucket.js";

const base = "s:{q}:";

describe("arrivalPart", () => {
  it("learns by default: starts at 25 ms, capped at a quarter of the shortest window, paced 1 ms", () => {
    const part = arrivalPart(base, [slidingWindow({ limit: 40, window: "1s" })], undefined, undefined);
    expect(part).toEqual({ key: "s:{q}:arrival", wire: ["ar", 25_000, 1_000, 250_000] });
    const short = arrivalPart(base, [fixedWindow({ limit: 10, window: "40ms" })], "learn", undefined);
    expect(short?.wire).toEqual(["ar", 10_000, 1_000, 10_000]);
  });

  it("paces by a quarter of the shortest unit interval when that is under 1 ms; 100 per minute still starts at once", () => {
    expect(arrivalPart(base, [tokenBucket({ rate: 5000 })], undefined, undefined)?.wire[2]).toBe(50);
    // a token bucket's span is its refill time: 100 per minute, burst 100
    const perMinute = arrivalPart(base, [tokenBucket({ rate: 100, per: "1m" })], undefined, undefined);
    expect(perMinute?.wire[2]).toBe(1_000);
  });

  it("a fixed margin learns nothing; 0 with pacing off is no arrival part at all", () => {
    const rules = [slidingWindow({ limit: 40, window: "1s" })];
    expect(arrivalPart(base, rules, "50ms", false)?.wire).toEqual(["ar", 50_000, 0, 0]);
    expect(arrivalPart(base, rules, 0, false)).toBeUndefined();
    expect(arrivalPart(base, rules, 0, "2ms")?.wire).toEqual(["ar", 0, 2_000, 0]);
  });

  it("a token bucket of burst 1 may learn a margin up to its interval", () => {
    const part = arrivalPart(base, [tokenBucket({ rate: 50, burst: 1 })], undefined, undefined);
    expect(part?.wire).toEqual(["ar", 20_000, 1_000, 20_000]);
  });

  it("a quota of concurrency limits only has none", () => {
    expect(arrivalPart(base, [concurrency({ limit: 3 })], undefined, undefined)).toBeUndefined();
  });

  it("refuses a margin beyond a quarter of the window and bad durations, naming the option", () => {
    const rules = [slidingWindow({ limit: 40, window: "1s" })];
    expect(() => arrivalPart(base, rules, "300ms", undefined)).toThrow(/`arrivalMargin`.*quarter/);
    expect(() => arrivalPart(base, rules, "soon" as never, undefined)).toThrow(/`arrivalMargin`.*"soon"/);
    expect(() => arrivalPart(base, rules, undefined, -1)).toThrow(/`pacing`.*-1/);
  });
});
