import { SluiceError } from "@sluice/core";
import { hasErrorCode } from "@sluice/core/adapter";

/** The `timeout` ran out before the response headers came (waiting for a slot, a retry or the server). */
export class RequestTimeoutError extends SluiceError {
  override name = "RequestTimeoutError";
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super(
      "REQUEST_TIMEOUT",
      `The request did not get a response within its timeout of ${timeoutMs} ms (waiting for a slot, a retry or the server): raise \`timeout\` or send fewer requests.`,
    );
    this.timeoutMs = timeoutMs;
  }
}

export const isRequestTimeoutError = (error: unknown): error is RequestTimeoutError =>
  hasErrorCode(error, "REQUEST_TIMEOUT", "RequestTimeoutError");
