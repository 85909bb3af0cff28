import { invalid } from "./validate.js";

/** The units a duration string may carry: milliseconds, seconds, minutes, hours, days. */
export type DurationUnit = "ms" | "s" | "m" | "h" | "d";

/**
 * A length of time: a number of milliseconds (`250`, `1.5`), or a string of a number and one
 * lower-case unit, with or without one space: `"250ms"`, `"1.5s"`, `"10 m"`, `"1h"`, `"1d"`.
 *
 * Only `ms`, `s`, `m` (minutes), `h` and `d` are read. Anything else is refused when the option
 * is checked rather than guessed at: `"1M"` (a minute or a month?), `"1 minute"`, `"1w"`, `"1y"`,
 * a bare `"250"` (milliseconds or seconds?). A string read from configuration is checked the same
 * way at run time; cast it (`value as Duration`) to pass it on.
 * @example "10s"
 */
export type Duration = number | `${number}${DurationUnit}` | `${number} ${DurationUnit}`;

const YEAR_MS = 366 * 24 * 60 * 60 * 1000;

const unitMs: Readonly<Record<DurationUnit, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

// Digits with an optional fraction, an optional single space, then a unit: no sign, no exponent.
const DURATION = /^(\d+(?:\.\d+)?) ?(ms|s|m|h|d)$/;

/** Milliseconds of a number or a duration string, `undefined` for anything else. */
function millisecondsOf(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string") return undefined;
  const match = DURATION.exec(value);
  if (match === null) return undefined;
  return Number(match[1]) * unitMs[match[2] as DurationUnit];
}

function micros(option: string, value: unknown, min: number, max: number, orInfinity: boolean): number {
  const milliseconds = millisecondsOf(value);
  if (milliseconds === undefined || milliseconds < min || milliseconds > max) {
    invalid(
      option,
      `a duration from ${min} ms to ${max === YEAR_MS ? "366 days" : `${max} ms`}${orInfinity ? ", or Infinity" : ""} (milliseconds, or a number and a unit ms, s, m, h or d: "250ms", "1.5s", "10 m", "1h", "1d")`,
      value,
    );
  }
  return Math.round(milliseconds * 1000);
}

/**
 * Parses a duration to whole microseconds, the unit the scripts count in.
 * Accepts `min` ms (default 1) to `max` ms (default 366 days); anything else is a TypeError
 * naming the option.
 */
export function durationToMicros(option: string, value: Duration, min = 1, max = YEAR_MS): number {
  return micros(option, value, min, max, false);
}

/** As `durationToMicros`, for a bound that may also be `Infinity` (no bound), returned as is. */
export function boundToMicros(option: string, value: Duration, min = 1): number {
  return value === Number.POSITIVE_INFINITY ? value : micros(option, value, min, YEAR_MS, true);
}
