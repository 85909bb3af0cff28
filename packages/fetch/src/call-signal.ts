import { RequestTimeoutError } from "./errors/request-timeout-error.js";

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
