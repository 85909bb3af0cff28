/** The stable `code` of every error Sluice throws, one per error class. */
export type ErrorCode =
  /** `QuotaExceededError`: no slot within `maxWait`. */
  | "QUOTA_EXCEEDED"
  /** `CostExceedsCapacityError`: a cost no limit can ever hold. */
  | "COST_EXCEEDS_CAPACITY"
  /** `StoreUnavailableError`: Redis failed or was too slow, with `failMode: "closed"`. */
  | "STORE_UNAVAILABLE"
  /** `@sluice/fetch` `RequestTimeoutError`: no slot or answer within the request's timeout. */
  | "REQUEST_TIMEOUT"
  /** `@sluice/fetch` `NoCredentialAvailableError`: every key of a pool is quarantined. */
  | "NO_CREDENTIAL_AVAILABLE"
  /** `@sluice/fetch` `UnmatchedRequestError`: no route matches the URL. */
  | "UNMATCHED_REQUEST"
  /** `@sluice/fetch` `RetryAfterTooLongError`: the server asks for a longer wait than allowed. */
  | "RETRY_AFTER_TOO_LONG"
  /** `@sluice/bulk` `CorruptOutputError`: an output line this package did not write. */
  | "BULK_CORRUPT_OUTPUT"
  /** `@sluice/bulk` `OutputWriteError`: the output or failures file could not be written. */
  | "BULK_OUTPUT_WRITE"
  /** `@sluice/bulk` `RunLockedError`: another live process writes the same output. */
  | "BULK_RUN_LOCKED"
  /** `sluice status`: the command line could not be understood. */
  | "CLI_USAGE";

const codes: ReadonlySet<string> = new Set<ErrorCode>([
  "QUOTA_EXCEEDED",
  "COST_EXCEEDS_CAPACITY",
  "STORE_UNAVAILABLE",
  "REQUEST_TIMEOUT",
  "NO_CREDENTIAL_AVAILABLE",
  "UNMATCHED_REQUEST",
  "RETRY_AFTER_TOO_LONG",
  "BULK_CORRUPT_OUTPUT",
  "BULK_OUTPUT_WRITE",
  "BULK_RUN_LOCKED",
  "CLI_USAGE",
]);

/** Base class of every error Sluice throws; `code` is stable across versions. */
export class SluiceError extends Error {
  override name = "SluiceError";
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/**
 * True when `error` is the Sluice error with this `code` and `name`. Matches on the stable
 * fields, not the class alone: an app that loads one package as ESM and another as CJS holds two
 * copies of each class, and `instanceof` answers false across them.
 */
export function hasErrorCode(error: unknown, code: ErrorCode, name: string): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === code && error.name === name;
}

/** True for any error thrown by Sluice (from this copy of the package or another). */
export const isSluiceError = (error: unknown): error is SluiceError =>
  error instanceof SluiceError || (error instanceof Error && codes.has((error as { code?: unknown }).code as string));
