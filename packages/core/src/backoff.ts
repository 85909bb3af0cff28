import { type Duration, durationToMicros } from "./duration.js";
import { integer, invalid } from "./validate.js";

/**
 * How failed attempts are retried: the `retry` option of `@sluice/fetch` and `@sluice/bulk`,
 * one vocabulary for both. Each package states its own defaults.
 */
export interface BackoffOptions {
  /** Retries after the first attempt; 0 disables retrying. Integer from 0 to 100. */
  readonly limit?: number;
  /**
   * Backoff base: retry n (from 0) waits a random time in [0, min(maxDelay, baseDelay × 2ⁿ))
   * ("full jitter", which spreads the retries of many clients apart). Ms or a string, >= 1 ms.
   * @example "300ms"
   */
  readonly baseDelay?: Duration;
  /** Longest backoff before one retry. Ms or a string, >= 1 ms. @example "30s" */
  readonly maxDelay?: Duration;
}

/** `BackoffOptions` checked, with defaults filled in and durations in ms. */
export interface Backoff {
  readonly limit: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

const ms = (option: string, value: Duration): number => durationToMicros(option, value) / 1000;

/**
 * Checks a `retry` option (`BackoffOptions`, `false` for no retry, or `undefined` for the
 * defaults); TypeErrors name `option` and the field.
 */
export function resolveBackoff(
  option: string,
  input: BackoffOptions | false | undefined,
  defaults: Required<BackoffOptions>,
): Backoff {
  if (input !== undefined && input !== false && (typeof input !== "object" || input === null || Array.isArray(input)))
    invalid(option, "an options object or false", input);
  const given: BackoffOptions = input === false ? { limit: 0 } : (input ?? {});
  return {
    limit: integer(`${option}.limit`, given.limit ?? defaults.limit, 0, 100),
    baseDelayMs: ms(`${option}.baseDelay`, given.baseDelay ?? defaults.baseDelay),
    maxDelayMs: ms(`${option}.maxDelay`, given.maxDelay ?? defaults.maxDelay),
  };
}

/**
 * The wait before retry `retry` (0 for the first): full jitter, a uniform draw in
 * [0, min(maxDelay, baseDelay × 2^retry)), whole ms.
 * @example backoffDelay({ limit: 3, baseDelayMs: 300, maxDelayMs: 30_000 }, 3) // somewhere in [0, 2400)
 */
export function backoffDelay(backoff: Backoff, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** Math.min(retry, 52));
  const draw = random();
  return Math.floor((Number.isFinite(draw) ? Math.min(Math.max(draw, 0), 1) : 0) * ceiling);
}
