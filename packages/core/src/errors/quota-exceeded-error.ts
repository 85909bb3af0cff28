import type { Decision } from "../decision.js";
import { hasErrorCode, SluiceError } from "./sluice-error.js";

/** No slot was free within `maxWait`; `retryAfterMs` says when one may be. Nothing was consumed. */
export class QuotaExceededError extends SluiceError {
  override name = "QuotaExceededError";
  readonly quota: string;
  readonly decision: Decision;
  readonly retryAfterMs: number;

  constructor(quota: string, decision: Decision) {
    super(
      "QUOTA_EXCEEDED",
      `Quota "${quota}" has no slot within maxWait; retry in ${decision.retryAfterMs} ms or allow a longer maxWait.`,
    );
    this.quota = quota;
    this.decision = decision;
    this.retryAfterMs = decision.retryAfterMs;
  }
}

export const isQuotaExceededError = (error: unknown): error is QuotaExceededError =>
  hasErrorCode(error, "QUOTA_EXCEEDED", "QuotaExceededError");
