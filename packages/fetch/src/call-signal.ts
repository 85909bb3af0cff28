import type { Duration } from "@sluice/core";
import { durationToMicros } from "@sluice/core/adapter";
import { RequestTimeoutError } from "./errors/request-timeout-error.js";

/** The longest delay `setTimeout` keeps (about 24.8 days); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The `timeout` option in ms, `undefined` for none (unset or `Infinity`). 1 ms up to what a timer
 * can hold; anything else is a TypeError naming the option.
 */
export function timeoutMsOf(timeout: Duration | undefined): number | undefined {
  if (timeout === undefined || timeout === Number.POSITIVE_INFINITY) return undefined;
  return durationToMicros("timeout", timeout, 1, MAX_TIMER_MS) / 1000;
}

/** The signal of one call: the caller's signal plus the `timeout`, which `done` disarms. */
export interface CallSignal {
  readonly signal: AbortSignal;
  /** Stops the timeout (once the response headers are in: the body is not covered). */
  done(): void;
}

export function callSignal(caller: AbortSignal, timeoutMs: number | undefined): CallSignal {
  if (timeoutMs === undefined) return { signal: caller, done: () => {} };
  const timer = new AbortController();
  const handle = setTimeout(() => timer.abort(new RequestTimeoutError(timeoutMs)), timeoutMs);
  return { signal: AbortSignal.any([caller, timer.signal]), done: () => clearTimeout(handle) };
}
