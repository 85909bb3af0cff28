import { SluiceError } from "@sluice/core";
import { hasErrorCode } from "@sluice/core/adapter";

/** Every key of a credential pool is quarantined (after 401/403 answers); nothing was sent. */
export class NoCredentialAvailableError extends SluiceError {
  override name = "NoCredentialAvailableError";
  /** The route group (quota name) of the pool. */
  readonly quota: string;
  /** Ms until the first key leaves quarantine. */
  readonly retryAfterMs: number;

  constructor(quota: string, retryAfterMs: number) {
    super(
      "NO_CREDENTIAL_AVAILABLE",
      `Every key of the credential pool of "${quota}" was refused (401/403) and is quarantined for ${retryAfterMs} ms more: check the keys.`,
    );
    this.quota = quota;
    this.retryAfterMs = retryAfterMs;
  }
}

export const isNoCredentialAvailableError = (error: unknown): error is NoCredentialAvailableError =>
  hasErrorCode(error, "NO_CREDENTIAL_AVAILABLE", "NoCredentialAvailableError");
