import { describe, expect, it } from "vitest";
import { durationToMicros } from "./duration.js";

describe("durationToMicros", () => {
  it.each([
    [250, 250_000],
    ["250ms", 250_000],
    ["1s", 1_000_000],
    ["10 m", 600_000_000],
    ["1h", 3_600_000_000],
    ["1d", 86_400_000_000],
    [1.5, 1500],
  ])("%s -> %i µs", (input, expected) => {
    expect(durationToMicros("window", input)).toBe(expected);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, "", "soon", "0.5ms", "400d", null, {}])(
    "rejects %s with a TypeError naming the option",
    (input) => {
      expect(() => durationToMicros("window", input as never)).toThrow(TypeError);
      expect(() => durationToMicros("window", input as never)).toThrow(/^Expected `window` to be a duration/);
    },
  );
});
