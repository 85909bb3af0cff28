import { describe, expect, it } from "vitest";
import { SecondTally } from "./second-tally.js";

describe("SecondTally", () => {
  it("hands each second over once an admission past its end and the lag arrives", () => {
    const tally = new SecondTally({ workers: 2, seconds: 3, windowMs: 1000, lagMs: 200 });
    expect(tally.add(0, 10_000)).toEqual([]);
    expect(tally.add(1, 10_500)).toEqual([]);
    // In the second second, but within the lag: a report of the first may still be on its way.
    expect(tally.add(1, 11_100)).toEqual([]);
    expect(tally.add(0, 10_900)).toEqual([]);
    expect(tally.add(0, 11_250)).toEqual([{ second: 1, counts: [2, 1] }]);
    expect(tally.add(1, 11_300)).toEqual([]);
  });

  it("hands over every second a long gap skipped; admissions past the last second are not counted", () => {
    const tally = new SecondTally({ workers: 1, seconds: 3, windowMs: 1000, lagMs: 200 });
    tally.add(0, 0);
    expect(tally.add(0, 2300)).toEqual([
      { second: 1, counts: [1] },
      { second: 2, counts: [0] },
    ]);
    expect(tally.add(0, 5000)).toEqual([{ second: 3, counts: [1] }]);
    expect(tally.finish()).toEqual([]);
  });

  it("hands over the seconds left when the workers are done", () => {
    const tally = new SecondTally({ workers: 1, seconds: 2, windowMs: 1000, lagMs: 200 });
    tally.add(0, 0);
    tally.add(0, 900);
    expect(tally.finish()).toEqual([
      { second: 1, counts: [2] },
      { second: 2, counts: [0] },
    ]);
  });
});
