import { describe, expect, it } from "vitest";
import { ClockOffset } from "./clock-offset.js";

describe("ClockOffset", () => {
  it("before any reply, places the store's time at the reply's receipt", () => {
    expect(new ClockOffset().localTimeOf(5_000, 1_000, 1_400)).toBe(1_400);
  });

  it("keeps the quickest reply's sample: the largest store-minus-local", () => {
    const offset = new ClockOffset();
    offset.observe(10_000, 9_900); // 100 µs of transit hidden in it, or less
    offset.observe(10_500, 10_450); // a slower reply: 50
    expect(offset.offsetUs).toBe(100);
    // store time 20_000 is local 19_900, inside the call's [sent, received]
    expect(offset.localTimeOf(20_000, 19_800, 19_990)).toBe(19_900);
  });

  it("never places the store's moment outside the call that saw it", () => {
    const offset = new ClockOffset();
    offset.observe(10_000, 5_000); // the store's clock jumped back since: a stale, too large offset
    expect(offset.localTimeOf(20_000, 19_800, 19_990)).toBe(19_800);
    // and a too small one never beyond the receipt
    expect(new ClockOffset().localTimeOf(30_000, 19_800, 19_990)).toBe(19_990);
  });

  it("lets a sample older than 10 s give way to a newer one", () => {
    const offset = new ClockOffset();
    offset.observe(1_000, 0);
    offset.observe(10_000_500, 10_000_000); // 10 s later, 500 instead of 1000
    expect(offset.offsetUs).toBe(1_000);
    offset.observe(10_001_100, 10_000_601);
    expect(offset.offsetUs).toBe(499);
  });
});
