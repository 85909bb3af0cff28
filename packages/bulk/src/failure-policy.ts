import { type Backoff, backoffDelay } from "@sluice/core/adapter";
import { isOutputWriteError } from "./errors/output-write-error.js";
import { UnwritableResultError } from "./lines.js";

/** A task call or page that threw, as the policy sees it. */
export interface Failure {
  readonly error: unknown;
  /** 1 for the first try of the current call or page, 2 for its first retry, and so on. */
  readonly attempt: number;
  /** The run is stopping. */
  readonly stopping: boolean;
}

/**
 * What a thrown error means for its item: `throw` ends the run (the output cannot be written),
 * `stop` leaves the item for the next run, `fail` records it in the failures file, `retry`
 * tries the call or page again after `delayMs`.
 */
export type FailureVerdict =
  | { readonly kind: "throw" }
  | { readonly kind: "stop" }
  | { readonly kind: "fail" }
  | { readonly kind: "retry"; readonly delayMs: number };

/**
 * The verdict on a failure: a result that cannot be written fails at once (retrying would not
 * help), as does an error `retryable` refuses or one past `retry.limit`; the others retry after
 * the backoff, or after the error's `retryAfterMs` when longer.
 */
export function failureVerdict(
  failure: Failure,
  retry: Backoff,
  retryable: ((error: unknown) => boolean) | undefined,
  random: () => number = Math.random,
): FailureVerdict {
  const { error, attempt } = failure;
  if (isOutputWriteError(error)) return { kind: "throw" };
  if (failure.stopping) return { kind: "stop" };
  if (error instanceof UnwritableResultError || attempt > retry.limit || !(retryable?.(error) ?? true)) {
    return { kind: "fail" };
  }
  const backoff = backoffDelay(retry, attempt - 1, random);
  const after = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return {
    kind: "retry",
    delayMs: typeof after === "number" && Number.isFinite(after) ? Math.max(backoff, after) : backoff,
  };
}
