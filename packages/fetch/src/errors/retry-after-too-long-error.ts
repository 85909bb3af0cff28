import { SluiceError } from "@sluice/core";
import { hasErrorCode } from "@sluice/core/adapter";

/**
 * The server asked to wait longer than `retry.maxDelay`, so the request failed at once instead
 * of sleeping. The route's quota is paused for `waitMs` all the same, so no process hammers it.
 */
export class RetryAfterTooLongError extends SluiceError {
  override name = "RetryAfterTooLongError";
  /** The status that carried the wait (429 or 503). */
  readonly status: number;
  /** Ms the server asked to wait. */
  readonly waitMs: number;
  /** `retry.maxDelay` in ms. */
  readonly maxDelayMs: number;

  constructor(status: number, waitMs: number, maxDelayMs: number) {
    super(
      "RETRY_AFTER_TOO_LONG",
      `The server answered ${status} and asked to wait ${waitMs} ms, more than retry.maxDelay (${maxDelayMs} ms): try again later or raise retry.maxDelay.`,
    );
    this.status = status;
    this.waitMs = waitMs;
    this.maxDelayMs = maxDelayMs;
  }
}

export const isRetryAfterTooLongError = (error: unknown): error is RetryAfterTooLongError =>
  hasErrorCode(error, "RETRY_AFTER_TOO_LONG", "RetryAfterTooLongError");
