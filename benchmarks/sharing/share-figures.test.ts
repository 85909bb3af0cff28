import { describe, expect, it } from "vitest";
import { medianAndMost, steadyUse, utilisation } from "./share-figures.js";

const every = (count: number, stepMs: number, fromMs = 0): number[] =>
  Array.from({ length: count }, (_, i) => fromMs + i * stepMs);

describe("sharing run figures", () => {
  it("a quota kept full is used 100% over any steady part, evenly spread or in bursts", () => {
    const even = every(500, 20);
    expect(steadyUse(even, 2_000, 8_000, 50, 1_000)).toBeCloseTo(1, 6);
    const bursts = every(10, 1_000).flatMap((second) => every(50, 0, second));
    for (const from of [2_000, 2_300, 2_999])
      expect(steadyUse(bursts, from, from + 4_000, 50, 1_000)).toBeCloseTo(1, 6);
  });

  it("requests accepted before the steady part count for the window they hold in it", () => {
    expect(steadyUse(every(50, 0, 1_500), 2_000, 3_000, 50, 1_000)).toBeCloseTo(0.5, 6);
    expect(steadyUse([], 2_000, 3_000, 50, 1_000)).toBe(0);
  });

  it("a window lengthened by a margin uses the quota at window / (window + margin)", () => {
    const margined = every(20, 1_025).flatMap((start) => every(50, 1, start));
    expect(steadyUse(margined, 2_000, 12_000, 50, 1_000)).toBeCloseTo(1_000 / 1_025, 2);
  });

  it("utilisation counts what a sliding window allowed from the first to the last accepted request", () => {
    expect(utilisation(every(100, 20), 50, 1_000)).toBeCloseTo(100 / (50 * (1 + 1.98)), 6);
    expect(utilisation([], 50, 1_000)).toBe(0);
  });

  it("median and most", () => {
    expect(medianAndMost([3, 1, 2])).toEqual({ p50: 2, max: 3 });
  });
});
