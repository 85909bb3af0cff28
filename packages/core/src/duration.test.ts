import { describe, expect, it } from "vitest";
import { boundToMicros, type Duration, durationToMicros } from "./duration.js";

describe("durationToMicros", () => {
  it.each<[Duration, number]>([
    [250, 250_000],
    [1.5, 1500],
    ["250ms", 250_000],
    ["1.5ms", 1500],
    ["1s", 1_000_000],
    ["1.5s", 1_500_000],
    ["60s", 60_000_000],
    ["10m", 600_000_000],
    ["10 m", 600_000_000],
    ["1h", 3_600_000_000],
    ["1 h", 3_600_000_000],
    ["1d", 86_400_000_000],
    ["366d", 366 * 86_400_000_000],
  ])("%j -> %i µs", (input, expected) => {
    expect(durationToMicros("window", input)).toBe(expected);
  });

  it.each<[unknown, string]>([
    // Out of range: below 1 ms, above 366 days, not finite.
    [0, "below the minimum"],
    [-1, "negative"],
    ["0.5ms", "below the minimum"],
    ["367d", "above 366 days"],
    [Number.NaN, "not a number"],
    [Number.POSITIVE_INFINITY, "not finite"],
    // Ambiguous or surprising spellings are refused, not guessed at.
    ["1M", "a minute or a month?"],
    ["1S", "upper-case unit"],
    ["1H", "upper-case unit"],
    ["250", "milliseconds or seconds?"],
    ["1 minute", "a long unit name"],
    ["1min", "a long unit name"],
    ["60 seconds", "a long unit name"],
    ["1w", "weeks are not a unit"],
    ["1y", "years are not a unit"],
    ["1e3ms", "an exponent"],
    ["-1s", "a sign"],
    [".5s", "no leading digit"],
    ["1.s", "no fraction digit"],
    ["1  s", "two spaces"],
    [" 1s", "leading space"],
    ["1s ", "trailing space"],
    ["1h30m", "a compound"],
    ["", "empty"],
    ["soon", "not a duration"],
    [null, "null"],
    [{}, "an object"],
  ])("refuses %j (%s) with a TypeError naming the option and the value", (input) => {
    const parse = () => durationToMicros("window", input as never);
    expect(parse).toThrow(TypeError);
    expect(parse).toThrow(
      `Expected \`window\` to be a duration from 1 ms to 366 days (milliseconds, or a number and a unit ms, s, m, h or d: "250ms", "1.5s", "10 m", "1h", "1d"), got `,
    );
  });

  it("names the bounds it was given", () => {
    expect(durationToMicros("timeout", "1 m", 1, 60_000)).toBe(60_000_000);
    expect(() => durationToMicros("timeout", "61s", 1, 60_000)).toThrow(
      /^Expected `timeout` to be a duration from 1 ms to 60000 ms \(.*got `"61s"` \(string\)$/,
    );
    expect(durationToMicros("align", 0, 0)).toBe(0);
    expect(durationToMicros("align", "0s", 0)).toBe(0);
    expect(() => durationToMicros("align", "1M" as never, 0)).toThrow(
      /^Expected `align` to be a duration from 0 ms to 366 days \(.*got `"1M"` \(string\)$/,
    );
  });
});

describe("boundToMicros", () => {
  it("takes Infinity as no bound and 0 when the minimum is 0", () => {
    expect(boundToMicros("maxWait", Number.POSITIVE_INFINITY, 0)).toBe(Number.POSITIVE_INFINITY);
    expect(boundToMicros("maxWait", 0, 0)).toBe(0);
    expect(boundToMicros("maxWait", "5s", 0)).toBe(5_000_000);
  });

  it("says that Infinity is accepted when it refuses", () => {
    expect(() => boundToMicros("maxWait", -1, 0)).toThrow(
      /^Expected `maxWait` to be a duration from 0 ms to 366 days, or Infinity \(.*\), got `-1` \(number\)$/,
    );
    expect(() => boundToMicros("maxWait", Number.NEGATIVE_INFINITY, 0)).toThrow(/or Infinity/);
  });
});
