import ms from "ms";
import { invalid } from "./validate.js";

/** Milliseconds as a number, or a readable string: `"250ms"`, `"1s"`, `"10 m"`, `"1h"`, `"1d"`. */
export type Duration = number | string;

const YEAR_MS = 366 * 24 * 60 * 60 * 1000;

/**
 * Parses a duration to whole microseconds, the unit the scripts count in.
 * Accepts 1 ms to 366 days; anything else is a TypeError naming the option.
 */
export function durationToMicros(option: string, value: Duration, min = 1, max = YEAR_MS): number {
  const milliseconds = typeof value === "string" && value.trim() !== "" ? ms(value.trim() as ms.StringValue) : value;
  if (typeof milliseconds !== "number" || !Number.isFinite(milliseconds) || milliseconds < min || milliseconds > max) {
    invalid(
      option,
      `a duration from ${min} ms to ${max === YEAR_MS ? "366 days" : `${max} ms`} (milliseconds or a string like "250ms", "1s", "10 m", "1h", "1d")`,
      value,
    );
  }
  return Math.round(milliseconds * 1000);
}
